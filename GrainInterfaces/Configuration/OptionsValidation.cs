using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace OrleansExemplars.GrainInterfaces.Configuration;

public static class OptionsValidation
{
    /// <summary>
    /// For options Orleans reads while the host is built, before ValidateOnStart runs: validates data annotations now, throwing the same exception ValidateOnStart would.</summary>
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
