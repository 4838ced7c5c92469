namespace OrleansExemplars.Tests.Support;

/// <summary>The pinned Azurite (Azurite/package.json, installed by ./test.sh with npm ci) on free loopback ports, in memory.</summary>
public sealed class AzuriteServer : IAsyncDisposable
{
    private const string Key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private readonly ServerProcess _process;

    private AzuriteServer(ServerProcess process, string connectionString)
    {
        _process = process;
        ConnectionString = connectionString;
    }

    public string ConnectionString { get; }

    /// <summary>The blob service of an Azurite started by <see cref="StartHttpsOAuthAsync"/> (https, path-style account).</summary>
    public Uri? BlobServiceUri { get; private init; }

    /// <summary>The table service of an Azurite started by <see cref="StartHttpsOAuthAsync"/>.</summary>
    public Uri? TableServiceUri { get; private init; }

    public static Task<AzuriteServer> StartAsync() => StartAsync([], "http", null);

    /// <summary>
    /// Azurite over https (<paramref name="certificatePem"/>, <paramref name="keyPem"/>) accepting Microsoft Entra bearer
    /// tokens (<c>--oauth basic</c>: issuer, audience and lifetime are checked, the signature is not) besides the
    /// account key. Its connection string uses https too; <paramref name="trusting"/> must trust the certificate.
    /// </summary>
    public static async Task<AzuriteServer> StartHttpsOAuthAsync(string certificatePem, string keyPem, HttpMessageHandler trusting)
    {
        var server = await StartAsync(["--cert", certificatePem, "--key", keyPem, "--oauth", "basic"], "https", trusting);
        var endpoints = server.ConnectionString.Split(';').Where(p => p.Contains('=')).ToDictionary(p => p[..p.IndexOf('=')], p => p[(p.IndexOf('=') + 1)..]);
        return new AzuriteServer(server._process, server.ConnectionString)
        {
            BlobServiceUri = new Uri(endpoints["BlobEndpoint"]),
            TableServiceUri = new Uri(endpoints["TableEndpoint"]),
        };
    }

    private static async Task<AzuriteServer> StartAsync(string[] extraArguments, string scheme, HttpMessageHandler? handler)
    {
        var node = RequiredComponent.Binary("node", "Node.js");
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "OrleansExemplars.sln"))) dir = dir.Parent;
        var azurite = Path.Combine(dir?.FullName ?? ".", "Azurite", "node_modules", "azurite", "dist", "src", "azurite.js");
        if (!File.Exists(azurite))
        {
            throw new InvalidOperationException($"{azurite} is missing: run ./test.sh, which installs Azurite (npm ci in Azurite/).");
        }
        int blob = FreePort.Next(), queue = FreePort.Next(), table = FreePort.Next();
        var process = await ServerProcess.StartAsync(node,
        [
            azurite, "--silent", "--skipApiVersionCheck", "--loose", "--inMemoryPersistence",
            "--blobHost", "127.0.0.1", "--blobPort", blob.ToString(), "--queueHost", "127.0.0.1", "--queuePort", queue.ToString(),
            "--tableHost", "127.0.0.1", "--tablePort", table.ToString(), .. extraArguments,
        ], new Uri($"{scheme}://127.0.0.1:{blob}/devstoreaccount1?comp=list"), TimeSpan.FromSeconds(60), anyAnswer: true, handler);
        return new AzuriteServer(process,
            $"DefaultEndpointsProtocol={scheme};AccountName=devstoreaccount1;AccountKey={Key};" +
            $"BlobEndpoint={scheme}://127.0.0.1:{blob}/devstoreaccount1;QueueEndpoint={scheme}://127.0.0.1:{queue}/devstoreaccount1;" +
            $"TableEndpoint={scheme}://127.0.0.1:{table}/devstoreaccount1;");
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
