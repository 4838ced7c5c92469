using System.ComponentModel.DataAnnotations;

namespace OrleansExemplars.Hosting.Configuration;

/// <summary>
/// Configuration section <c>Cluster:Tls</c>: mutual TLS on the Orleans ports — silo to silo and API host to silo
/// gateway — with Orleans' own TLS (Microsoft.Orleans.Connections.Security). Off unless <see cref="CertificatePath"/>
/// is set; then every node (each silo and the API host) presents a certificate and accepts only peers whose
/// certificate it trusts, so a node without TLS, or with a certificate from elsewhere, cannot join or talk. The files
/// are read and checked at start (<see cref="ClusterCertificates"/>), failing start-up naming the key.
/// </summary>
public sealed class ClusterTlsOptions : IValidatableObject
{
    public const string SectionName = "Cluster:Tls";

    /// <summary>
    /// The node's certificate: a PKCS#12 file (<c>.pfx</c>/<c>.p12</c>, with its key), or a PEM certificate (with its key
    /// in the same file or in <see cref="KeyPath"/>). Setting it turns TLS on.
    /// </summary>
    public string? CertificatePath { get; set; }

    /// <summary>Password of the PKCS#12 file, or of an encrypted PEM key. Never logged.</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>The PEM private key of a PEM <see cref="CertificatePath"/>, when it is in a file of its own.</summary>
    public string? KeyPath { get; set; }

    /// <summary>
    /// PEM file of the certificates a peer's certificate must be or chain to (a CA, or the nodes' own certificates).
    /// Unset: only this node's own certificate is trusted — one certificate shared by every node.
    /// </summary>
    public string? TrustedCertificatesPath { get; set; }

    public bool Enabled => !string.IsNullOrWhiteSpace(CertificatePath);

    IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext)
    {
        var errors = new List<string>();
        if (Enabled)
        {
            // Loading is the check: the same code the hosts run, so what passes here works there.
            try
            {
                using var _ = ClusterCertificates.Load(this);
            }
            catch (ClusterCertificateException e)
            {
                errors.Add(e.Message);
            }
        }
        else
        {
            foreach (var (key, value) in new[] { ("KeyPath", KeyPath), ("CertificatePassword", CertificatePassword), ("TrustedCertificatesPath", TrustedCertificatesPath) })
            {
                if (!string.IsNullOrEmpty(value)) errors.Add($"{SectionName}:{key} is set but {SectionName}:CertificatePath is not (TLS is off without a certificate).");
            }
        }
        return errors.Select(e => new ValidationResult(e));
    }
}
