using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Azure.Core;
using Azure.Core.Pipeline;
using OrleansExemplars.Tests.Support;

namespace OrleansExemplars.Tests.Integration;

/// <summary>The test doubles and certificate plumbing the Azure service-URI tests need.</summary>
public sealed partial class AzureServiceUriTests
{
    private static async Task<bool> EventuallyAsync(Func<Task<bool>> condition, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (DateTime.UtcNow < deadline)
        {
            if (await condition()) return true;
            await Task.Delay(200);
        }
        return await condition();
    }

    /// <summary>A test CA and a certificate for 127.0.0.1 signed by it, as PEM files.</summary>
    private static (string Ca, string Certificate, string Key) WriteCertificates(string dir)
    {
        var now = DateTimeOffset.UtcNow;
        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=OrleansExemplars test CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using var ca = caRequest.CreateSelfSigned(now.AddDays(-1), now.AddDays(2));

        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var certificate = request.Create(ca, now.AddDays(-1), now.AddDays(1), RandomNumberGenerator.GetBytes(8));

        var paths = (Path.Combine(dir, "ca.pem"), Path.Combine(dir, "cert.pem"), Path.Combine(dir, "key.pem"));
        File.WriteAllText(paths.Item1, ca.ExportCertificatePem() + "\n");
        File.WriteAllText(paths.Item2, certificate.ExportCertificatePem() + "\n");
        File.WriteAllText(paths.Item3, key.ExportPkcs8PrivateKeyPem() + "\n");
        return paths;
    }

    private sealed class StaticTokenCredential(string token) : TokenCredential
    {
        public List<string> Scopes { get; } = [];

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            lock (Scopes) Scopes.AddRange(requestContext.Scopes);
            return new AccessToken(token, DateTimeOffset.UtcNow.AddHours(1));
        }

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }

    /// <summary>Records each request's host and Authorization header and answers 403, so the SDK gives up at once.</summary>
    private sealed class CapturingTransport : HttpPipelineTransport
    {
        public List<(string Host, string? Authorization)> Requests { get; } = [];

        public override Azure.Core.Request CreateRequest() => new HttpClientTransport().CreateRequest();

        public override void Process(HttpMessage message) => ProcessAsync(message).AsTask().GetAwaiter().GetResult();

        public override ValueTask ProcessAsync(HttpMessage message)
        {
            message.Request.Headers.TryGetValue("Authorization", out var authorization);
            lock (Requests) Requests.Add((message.Request.Uri.Host ?? "", authorization));
            message.Response = new ForbiddenResponse(message.Request.ClientRequestId);
            return ValueTask.CompletedTask;
        }
    }

    private sealed class ForbiddenResponse(string clientRequestId) : Azure.Response
    {
        public override int Status => 403;
        public override string ReasonPhrase => "Forbidden";
        public override Stream? ContentStream { get; set; } = new MemoryStream();
        public override string ClientRequestId { get; set; } = clientRequestId;
        public override void Dispose() { }
        protected override bool ContainsHeader(string name) => false;
        protected override IEnumerable<HttpHeader> EnumerateHeaders() => [];
        protected override bool TryGetHeader(string name, out string value) { value = ""; return false; }
        protected override bool TryGetHeaderValues(string name, out IEnumerable<string> values) { values = []; return false; }
    }

    /// <summary>
    /// The managed-identity endpoint of App Service and Container Apps (<c>IDENTITY_ENDPOINT</c> + <c>IDENTITY_HEADER</c>,
    /// api-version 2019-08-01) on loopback, handing out unsigned JWTs that Azurite's basic OAuth accepts.
    /// </summary>
    private sealed class ManagedIdentityEndpoint : IAsyncDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly StringBuilder _log = new();
        private readonly Task _loop;

        private ManagedIdentityEndpoint(int port)
        {
            Endpoint = $"http://127.0.0.1:{port}/msi/token";
            _listener.Prefixes.Add($"http://127.0.0.1:{port}/msi/");
            _listener.Start();
            _loop = Task.Run(LoopAsync);
        }

        public string Endpoint { get; }
        public string Header { get; } = Guid.NewGuid().ToString("N");
        public List<(string? Header, string? ClientId, string? Resource)> Requests { get; } = [];
        public string Log { get { lock (_log) return _log.ToString(); } }

        public static ManagedIdentityEndpoint Start() => new(FreePort.Next());

        private async Task LoopAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }
                var query = context.Request.QueryString;
                var header = context.Request.Headers["X-IDENTITY-HEADER"];
                lock (_log) _log.AppendLine($"{context.Request.HttpMethod} {context.Request.Url?.PathAndQuery}");
                lock (Requests) Requests.Add((header, query["client_id"], query["resource"]));
                var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
                var body = JsonSerializer.Serialize(new Dictionary<string, string>
                {
                    ["access_token"] = Jwt(now, query["resource"] ?? "https://storage.azure.com"),
                    ["expires_on"] = (now + 3600).ToString(System.Globalization.CultureInfo.InvariantCulture),
                    ["resource"] = query["resource"] ?? "",
                    ["token_type"] = "Bearer",
                    ["client_id"] = query["client_id"] ?? "",
                });
                var bytes = Encoding.UTF8.GetBytes(body);
                context.Response.StatusCode = header is null ? 400 : 200;
                context.Response.ContentType = "application/json";
                await context.Response.OutputStream.WriteAsync(bytes);
                context.Response.Close();
            }
        }

        private static string Jwt(long now, string resource)
        {
            static string Part(object value) => Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(value)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
            var tenant = "72f988bf-86f1-41af-91ab-2d7cd011db47";
            return Part(new { alg = "RS256", typ = "JWT" }) + "." + Part(new Dictionary<string, object>
            {
                ["aud"] = resource.TrimEnd('/'),
                ["iss"] = $"https://sts.windows.net/{tenant}/",
                ["iat"] = now - 60,
                ["nbf"] = now - 60,
                ["exp"] = now + 3600,
                ["oid"] = Guid.NewGuid().ToString(),
                ["tid"] = tenant,
            }) + ".c2lnbmF0dXJl";
        }

        public async ValueTask DisposeAsync()
        {
            _listener.Stop();
            _listener.Close();
            await _loop;
        }
    }
}
