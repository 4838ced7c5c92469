using System.Security.Cryptography.X509Certificates;
using OrleansExemplars.Hosting.Configuration;
using OrleansExemplars.Tests.Support;
using Xunit;

namespace OrleansExemplars.Tests.Security;

/// <summary>
/// <c>Cluster:Tls</c> on its own: which files load (PKCS#12, PEM with the key apart), which peers are trusted (the node's
/// own certificate by default, a CA's certificates with <c>TrustedCertificatesPath</c>), and that every unusable file
/// is refused naming its key and never its password.
/// </summary>
public sealed class ClusterCertificatesTests : IDisposable
{
    private readonly TestCertificates _files = TestCertificates.InNewDirectory();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void One_shared_self_signed_certificate_trusts_itself_and_nothing_else()
    {
        var shared = _files.SelfSigned("cluster");
        var foreign = _files.SelfSigned("elsewhere");
        using var fromPfx = ClusterCertificates.Load(new ClusterTlsOptions { CertificatePath = shared.Pfx, CertificatePassword = TestCertificates.PfxPassword });
        using var fromPem = ClusterCertificates.Load(new ClusterTlsOptions { CertificatePath = shared.CertificatePem, KeyPath = shared.KeyPem });
        Assert.True(fromPfx.Local.HasPrivateKey);
        Assert.Equal(fromPfx.Local.Thumbprint, fromPem.Local.Thumbprint);
        Assert.True(fromPfx.IsTrusted(fromPem.Local));
        Assert.True(fromPem.IsTrusted(fromPfx.Local));
        using var other = X509CertificateLoader.LoadCertificateFromFile(foreign.CertificatePem);
        Assert.False(fromPfx.IsTrusted(other));
    }

    [Fact]
    public void With_a_trusted_CA_every_certificate_it_issued_is_trusted_and_no_other()
    {
        var (caPem, issue) = _files.Authority("cluster-ca");
        var (otherCaPem, issueElsewhere) = _files.Authority("other-ca");
        var silo1 = issue("silo-1");
        var silo2 = issue("silo-2");
        using var node = ClusterCertificates.Load(new ClusterTlsOptions
        {
            CertificatePath = silo1.CertificatePem, KeyPath = silo1.KeyPem, TrustedCertificatesPath = caPem,
        });
        using var peer = X509CertificateLoader.LoadCertificateFromFile(silo2.CertificatePem);
        using var stranger = X509CertificateLoader.LoadCertificateFromFile(issueElsewhere("intruder").CertificatePem);
        using var otherCa = X509CertificateLoader.LoadCertificateFromFile(otherCaPem);
        Assert.True(node.IsTrusted(peer));
        Assert.False(node.IsTrusted(stranger));
        Assert.False(node.IsTrusted(otherCa));

        // A node whose own certificate the trusted set does not cover would be refused by every peer: refused at start.
        var e = Assert.Throws<ClusterCertificateException>(() => ClusterCertificates.Load(new ClusterTlsOptions
        {
            CertificatePath = silo1.Pfx, CertificatePassword = TestCertificates.PfxPassword, TrustedCertificatesPath = otherCaPem,
        }));
        Assert.Contains("Cluster:Tls:TrustedCertificatesPath", e.Message);
    }

    [Fact]
    public void An_expired_peer_certificate_is_not_trusted()
    {
        var (caPem, issue) = _files.Authority("ca");
        var node = issue("node");
        using var certificates = ClusterCertificates.Load(new ClusterTlsOptions
        {
            CertificatePath = node.CertificatePem, KeyPath = node.KeyPem, TrustedCertificatesPath = caPem,
        });
        var expired = _files.SelfSigned("expired", notAfter: DateTimeOffset.UtcNow.AddMinutes(-1));
        using var old = X509CertificateLoader.LoadCertificateFromFile(expired.CertificatePem);
        Assert.False(certificates.IsTrusted(old));
        var e = Assert.Throws<ClusterCertificateException>(() => ClusterCertificates.Load(new ClusterTlsOptions
        {
            CertificatePath = expired.CertificatePem, KeyPath = expired.KeyPem,
        }));
        Assert.Contains("Cluster:Tls:CertificatePath", e.Message);
        Assert.Contains("not now", e.Message);
    }

    public static TheoryData<string, string> BadSettings() => new()
    {
        { "missing file", "Cluster:Tls:CertificatePath" },
        { "wrong password", "Cluster:Tls:CertificatePassword" },
        { "PEM without its key", "Cluster:Tls:KeyPath" },
        { "key of another certificate", "Cluster:Tls:CertificatePath" },
        { "server-only certificate", "Cluster:Tls:CertificatePath" },
        { "KeyPath with a PKCS#12 file", "Cluster:Tls:KeyPath" },
        { "missing trusted file", "Cluster:Tls:TrustedCertificatesPath" },
        { "trusted file without certificates", "Cluster:Tls:TrustedCertificatesPath" },
        { "not a certificate", "Cluster:Tls:CertificatePath" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public void An_unusable_file_fails_validation_naming_the_key_never_the_password(string what, string key)
    {
        var good = _files.SelfSigned("good");
        var other = _files.SelfSigned("other");
        var serverOnly = _files.SelfSigned("server-only", usages: ["1.3.6.1.5.5.7.3.1"]);
        var text = Path.Combine(_files.Directory, "notes.txt");
        File.WriteAllText(text, "not a certificate\n");
        var settings = what switch
        {
            "missing file" => new ClusterTlsOptions { CertificatePath = Path.Combine(_files.Directory, "nope.pfx") },
            "wrong password" => new ClusterTlsOptions { CertificatePath = good.Pfx, CertificatePassword = "wrong-pässword-77" },
            "PEM without its key" => new ClusterTlsOptions { CertificatePath = good.CertificatePem },
            "key of another certificate" => new ClusterTlsOptions { CertificatePath = good.CertificatePem, KeyPath = other.KeyPem },
            "server-only certificate" => new ClusterTlsOptions { CertificatePath = serverOnly.CertificatePem, KeyPath = serverOnly.KeyPem },
            "KeyPath with a PKCS#12 file" => new ClusterTlsOptions { CertificatePath = good.Pfx, CertificatePassword = TestCertificates.PfxPassword, KeyPath = good.KeyPem },
            "missing trusted file" => new ClusterTlsOptions { CertificatePath = good.Pfx, CertificatePassword = TestCertificates.PfxPassword, TrustedCertificatesPath = "/nonexistent/ca.pem" },
            "trusted file without certificates" => new ClusterTlsOptions { CertificatePath = good.Pfx, CertificatePassword = TestCertificates.PfxPassword, TrustedCertificatesPath = text },
            _ => new ClusterTlsOptions { CertificatePath = text },
        };
        var e = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => OptionsValidation.ThrowIfInvalid(settings));
        Assert.Contains(key, e.Message);
        Assert.DoesNotContain("wrong-pässword-77", e.Message);
        Assert.DoesNotContain(TestCertificates.PfxPassword, e.Message);
    }

    [Fact]
    public void Without_a_certificate_TLS_is_off_and_its_other_keys_are_refused()
    {
        OptionsValidation.ThrowIfInvalid(new ClusterTlsOptions());
        var e = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() =>
            OptionsValidation.ThrowIfInvalid(new ClusterTlsOptions { KeyPath = "/etc/tls/key.pem" }));
        Assert.Contains("Cluster:Tls:CertificatePath", e.Message);
    }
}
