using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OrleansExemplars.Tests.Support;

/// <summary>
/// Certificates made for a test with <see cref="CertificateRequest"/>, written to a temporary directory (deleted on
/// dispose) in the forms an operator would have: PKCS#12 with a password, PEM certificate plus PEM key.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    public const string PfxPassword = "pfx-pässword-41";

    private TestCertificates(string directory) => Directory = directory;

    public string Directory { get; }

    public static TestCertificates InNewDirectory() => new(System.IO.Directory.CreateTempSubdirectory("oe-tls-").FullName);

    /// <summary>The files of one certificate.</summary>
    public sealed record Files(string Pfx, string CertificatePem, string KeyPem);

    /// <summary>A self-signed node certificate for TLS server and client authentication, valid from yesterday.</summary>
    public Files SelfSigned(string name, DateTimeOffset? notAfter = null, string[]? usages = null)
    {
        using var key = RSA.Create(2048);
        var request = NodeRequest(name, key, usages);
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.CreateSelfSigned(now.AddDays(-1), notAfter ?? now.AddDays(2));
        return Write(name, certificate, key);
    }

    /// <summary>A CA (its PEM certificate) and a function issuing node certificates signed by it.</summary>
    public (string CaPem, Func<string, Files> Issue) Authority(string name)
    {
        var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest($"CN={name}", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        var ca = caRequest.CreateSelfSigned(now.AddDays(-2), now.AddDays(3));
        var caPem = Path.Combine(Directory, name + "-ca.pem");
        File.WriteAllText(caPem, ca.ExportCertificatePem() + "\n");
        return (caPem, node =>
        {
            using var key = RSA.Create(2048);
            var request = NodeRequest(node, key, null);
            request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
            using var certificate = request.Create(ca, now.AddDays(-1), now.AddDays(2), RandomNumberGenerator.GetBytes(8));
            return Write(node, certificate, key);
        });
    }

    private static CertificateRequest NodeRequest(string name, RSA key, string[]? usages)
    {
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        var oids = new OidCollection();
        foreach (var usage in usages ?? ["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"]) oids.Add(new Oid(usage));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(oids, false));
        return request;
    }

    private Files Write(string name, X509Certificate2 certificate, RSA key)
    {
        var files = new Files(Path.Combine(Directory, name + ".pfx"), Path.Combine(Directory, name + ".crt.pem"), Path.Combine(Directory, name + ".key.pem"));
        using (var publicPart = X509CertificateLoader.LoadCertificate(certificate.RawData))
        using (var withKey = publicPart.CopyWithPrivateKey(key))
        {
            File.WriteAllBytes(files.Pfx, withKey.Export(X509ContentType.Pkcs12, PfxPassword));
        }
        File.WriteAllText(files.CertificatePem, certificate.ExportCertificatePem() + "\n");
        File.WriteAllText(files.KeyPem, key.ExportPkcs8PrivateKeyPem() + "\n");
        return files;
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
