using Microsoft.Extensions.Options;

namespace OrleansExemplars.Hosting.Security;

/// <summary>Both sides' credentials, built once from the validated <see cref="AuthOptions"/>.</summary>
public sealed class CredentialStore(IOptions<AuthOptions> options, ILoggerFactory loggers, TimeProvider time)
{
    private readonly SideCredentials _write = new(AccessSide.Write, options.Value.Write,
        loggers.CreateLogger("OrleansExemplars.ApiHost.Security.WriteCredentials"), time);
    private readonly SideCredentials _read = new(AccessSide.Read, options.Value.Read,
        loggers.CreateLogger("OrleansExemplars.ApiHost.Security.ReadCredentials"), time);

    public SideCredentials For(AccessSide side) => side == AccessSide.Write ? _write : _read;
}
