using Orleans.Connections.Security;
using OrleansExemplars.Hosting.Configuration;

namespace OrleansExemplars.Hosting.Clustering;

/// <summary>
/// <c>Cluster:Tls</c> for either host: reads and checks the section, failing start-up naming the key, and sets
/// Orleans' <see cref="TlsOptions"/> for mutual TLS — every connection presents this node's certificate and requires
/// the peer's, accepted only when <see cref="ClusterCertificates.IsTrusted"/>.
/// </summary>
public static class ClusterTls
{
    /// <summary>The node's certificates, or null when TLS is off (no <c>Cluster:Tls:CertificatePath</c>).</summary>
    public static ClusterCertificates? Load(IConfiguration configuration)
    {
        var settings = OptionsValidation.GetValidated<ClusterTlsOptions>(configuration, ClusterTlsOptions.SectionName);
        return settings.Enabled ? ClusterCertificates.Load(settings) : null;
    }

    public static void Configure(TlsOptions options, ClusterCertificates certificates)
    {
        options.LocalCertificate = certificates.Local;
        // Both directions, both roles: a silo's outgoing connections and the API host's are clients, and must show a
        // certificate too (Orleans' default lets clients connect without one).
        options.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
        options.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
        options.RemoteCertificateValidation = (certificate, _, _) => certificates.IsTrusted(certificate);
    }
}
