using Microsoft.Extensions.Options;

namespace OrleansExemplars.Hosting.Security;

/// <summary>Checks <c>RateLimit</c> at start-up, naming the key.</summary>
internal sealed class RateLimitOptionsValidator : IValidateOptions<RateLimitOptions>
{
    private const int Max = 1_000_000;

    public ValidateOptionsResult Validate(string? name, RateLimitOptions options)
    {
        var errors = new List<string>();
        foreach (var side in new[] { AccessSide.Write, AccessSide.Read })
        {
            var o = options.For(side);
            var key = $"{RateLimitOptions.SectionName}:{side}";
            if (o.PermitsPerSecond is < 0 or > Max) errors.Add($"{key}:PermitsPerSecond must be between 0 (off) and {Max}");
            if (o.Burst is < 0 or > Max) errors.Add($"{key}:Burst must be between 0 (= PermitsPerSecond) and {Max}");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
