using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OrleansExemplars.Hosting.Configuration;

/// <summary>A <c>Cluster:Tls</c> file that cannot be used; the message names the key and the reason, never a secret.</summary>
public sealed class ClusterCertificateException(string message) : Exception(message);

/// <summary>
/// The certificates of <c>Cluster:Tls</c>: this node's own (with its private key) and the ones a peer's certificate
/// must be or chain to. Peers are checked by certificate, not by host name: silos reach each other at the addresses
/// of the membership table, which no certificate names.
/// </summary>
public sealed class ClusterCertificates : IDisposable
{
    private const string ServerAuth = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuth = "1.3.6.1.5.5.7.3.2";
    private const string Key = ClusterTlsOptions.SectionName;

    private ClusterCertificates(X509Certificate2 local, X509Certificate2Collection trusted)
    {
        Local = local;
        Trusted = trusted;
    }

    public X509Certificate2 Local { get; }

    public X509Certificate2Collection Trusted { get; }

    /// <summary>Reads and checks the files; throws <see cref="ClusterCertificateException"/> naming the key at fault.</summary>
    public static ClusterCertificates Load(ClusterTlsOptions settings)
    {
        var local = LoadLocal(settings);
        try
        {
            var trusted = new X509Certificate2Collection();
            if (string.IsNullOrWhiteSpace(settings.TrustedCertificatesPath))
            {
                trusted.Add(X509CertificateLoader.LoadCertificate(local.RawData)); // the public part only
            }
            else
            {
                var text = Read(settings.TrustedCertificatesPath, "TrustedCertificatesPath");
                try
                {
                    trusted.ImportFromPem(text);
                }
                catch (CryptographicException)
                {
                    throw new ClusterCertificateException($"{Key}:TrustedCertificatesPath: '{settings.TrustedCertificatesPath}' is not a PEM file of certificates.");
                }
                if (trusted.Count == 0)
                {
                    throw new ClusterCertificateException($"{Key}:TrustedCertificatesPath: '{settings.TrustedCertificatesPath}' holds no certificate (-----BEGIN CERTIFICATE-----).");
                }
            }
            var certificates = new ClusterCertificates(local, trusted);
            if (!certificates.IsTrusted(local))
            {
                throw new ClusterCertificateException(
                    $"{Key}:CertificatePath: this node's own certificate ({local.Subject}) is not trusted by {Key}:TrustedCertificatesPath, so its peers would refuse it.");
            }
            return certificates;
        }
        catch
        {
            local.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A peer's certificate is accepted when it is one of <see cref="Trusted"/>, or chains to one of them with no other
    /// store consulted; in both cases it must be valid now. Host names are not checked (see the class).
    /// </summary>
    public bool IsTrusted(X509Certificate2 remote)
    {
        var now = DateTime.Now;
        if (remote.NotBefore > now || remote.NotAfter < now) return false;
        foreach (var trusted in Trusted)
        {
            if (trusted.RawDataMemory.Span.SequenceEqual(remote.RawDataMemory.Span)) return true;
        }
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(Trusted);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        return chain.Build(remote);
    }

    private static X509Certificate2 LoadLocal(ClusterTlsOptions settings)
    {
        var path = settings.CertificatePath!;
        var text = Read(path, "CertificatePath");
        X509Certificate2 certificate;
        try
        {
            if (text.Contains("-----BEGIN", StringComparison.Ordinal))
            {
                var keyPath = string.IsNullOrWhiteSpace(settings.KeyPath) ? null : settings.KeyPath;
                if (keyPath is not null) Read(keyPath, "KeyPath");
                certificate = string.IsNullOrEmpty(settings.CertificatePassword)
                    ? X509Certificate2.CreateFromPemFile(path, keyPath)
                    : X509Certificate2.CreateFromEncryptedPemFile(path, settings.CertificatePassword, keyPath);
            }
            else
            {
                if (!string.IsNullOrWhiteSpace(settings.KeyPath))
                {
                    throw new ClusterCertificateException($"{Key}:KeyPath is for a PEM certificate; '{path}' ({Key}:CertificatePath) is a PKCS#12 file, which holds its key.");
                }
                certificate = X509CertificateLoader.LoadPkcs12FromFile(path, settings.CertificatePassword, X509KeyStorageFlags.EphemeralKeySet);
            }
        }
        catch (CryptographicException)
        {
            throw new ClusterCertificateException(
                $"{Key}:CertificatePath: cannot read a certificate and its private key from '{path}' — a wrong or missing " +
                $"{Key}:CertificatePassword, a PEM key that does not match (or is not in the file or in {Key}:KeyPath), or not a PKCS#12/PEM file.");
        }
        catch (ArgumentException)
        {
            throw new ClusterCertificateException($"{Key}:CertificatePath: '{path}' holds no PEM certificate and private key.");
        }
        try
        {
            Check(certificate, path);
            return certificate;
        }
        catch
        {
            certificate.Dispose();
            throw;
        }
    }

    private static void Check(X509Certificate2 certificate, string path)
    {
        if (!certificate.HasPrivateKey)
        {
            throw new ClusterCertificateException($"{Key}:CertificatePath: '{path}' has no private key (give a PEM key in the file or in {Key}:KeyPath).");
        }
        var now = DateTime.Now;
        if (certificate.NotBefore > now || certificate.NotAfter < now)
        {
            throw new ClusterCertificateException(
                $"{Key}:CertificatePath: the certificate in '{path}' is valid from {certificate.NotBefore:u} to {certificate.NotAfter:u}, not now.");
        }
        // Every node is a TLS server (its ports) and a client (its own connections): an EKU, if any, must allow both.
        var usages = certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().SelectMany(e => e.EnhancedKeyUsages.Cast<Oid>())
            .Select(o => o.Value).ToHashSet();
        if (usages.Count > 0 && !(usages.Contains(ServerAuth) && usages.Contains(ClientAuth)))
        {
            throw new ClusterCertificateException(
                $"{Key}:CertificatePath: the certificate in '{path}' must allow both TLS server and client authentication (extended key usages 1.3.6.1.5.5.7.3.1 and .2): every node is both.");
        }
    }

    private static string Read(string path, string key)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new ClusterCertificateException($"{Key}:{key}: cannot read '{path}' ({e.GetType().Name}).");
        }
    }

    public void Dispose()
    {
        Local.Dispose();
        foreach (var certificate in Trusted) certificate.Dispose();
    }
}
