using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace OrleansExemplars.Hosting.Configuration;

/// <summary>
/// The one way the hosts bind and check a configuration section: <c>AddOptions&lt;T&gt;().Bind(section)</c>, data
/// annotations and <see cref="IValidatableObject"/> on the options class, checked at start
/// (<c>ValidateOnStart</c>). Options a host needs while it is being built are also read and checked at once
/// (<see cref="AddValidatedOptionsNow{T}"/>), with the same exception start-up validation would throw.
/// </summary>
public static class OptionsValidation
{
    /// <summary>Binds <paramref name="sectionName"/> to <typeparamref name="T"/>, validated at start.</summary>
    public static OptionsBuilder<T> AddValidatedOptions<T>(this IServiceCollection services, IConfiguration configuration,
        string sectionName) where T : class =>
        services.AddOptions<T>().Bind(configuration.GetSection(sectionName)).ValidateDataAnnotations().ValidateOnStart();

    /// <summary>
    /// <see cref="AddValidatedOptions{T}"/>, and the section's values now, validated now: for options read while the
    /// host is built, before <c>ValidateOnStart</c> runs.
    /// </summary>
    public static T AddValidatedOptionsNow<T>(this IServiceCollection services, IConfiguration configuration, string sectionName)
        where T : class, new()
    {
        services.AddValidatedOptions<T>(configuration, sectionName);
        return GetValidated<T>(configuration, sectionName);
    }

    /// <summary>The section's values, validated now (defaults when the section is absent).</summary>
    public static T GetValidated<T>(IConfiguration configuration, string sectionName) where T : class, new()
    {
        var options = configuration.GetSection(sectionName).Get<T>() ?? new T();
        ThrowIfInvalid(options);
        return options;
    }

    /// <summary>Validates data annotations now, throwing the same exception ValidateOnStart would.</summary>
    public static void ThrowIfInvalid<T>(T options) where T : class
    {
        var results = new List<ValidationResult>();
        if (!Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true))
        {
            throw new OptionsValidationException(typeof(T).Name, typeof(T),
                results.Select(r => r.ErrorMessage ?? "invalid configuration"));
        }
    }
}
