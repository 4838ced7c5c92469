using System.Diagnostics.Metrics;

namespace OrleansExemplars.Tests.Support;

/// <summary>
/// Records the measurements of one meter created by one <see cref="IMeterFactory"/> (so tests running in parallel,
/// each with its own service provider, do not see each other's), for sums and observed gauge values.
/// </summary>
public sealed class MeterRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly List<(string Instrument, double Value, KeyValuePair<string, object?>[] Tags)> _measurements = [];

    public MeterRecorder(IMeterFactory scope, string meterName)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == meterName && ReferenceEquals(instrument.Meter.Scope, scope))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Add(i, v, tags));
        _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Add(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Add(i, v, tags));
        _listener.Start();
    }

    /// <summary>Sum of the measurements of <paramref name="instrument"/> whose tags include all of <paramref name="tags"/>.</summary>
    public double Sum(string instrument, params (string Key, string Value)[] tags)
    {
        lock (_measurements)
        {
            return _measurements.Where(m => m.Instrument == instrument && Matches(m.Tags, tags)).Sum(m => m.Value);
        }
    }

    /// <summary>How many measurements of <paramref name="instrument"/> match <paramref name="tags"/> (e.g. histogram records).</summary>
    public int Count(string instrument, params (string Key, string Value)[] tags)
    {
        lock (_measurements)
        {
            return _measurements.Count(m => m.Instrument == instrument && Matches(m.Tags, tags));
        }
    }

    /// <summary>The largest measurement of <paramref name="instrument"/> (a histogram's biggest record), or null when there was none.</summary>
    public double? Max(string instrument)
    {
        lock (_measurements)
        {
            var values = _measurements.Where(m => m.Instrument == instrument).Select(m => m.Value).ToList();
            return values.Count == 0 ? null : values.Max();
        }
    }

    /// <summary>Observes the observable instruments now and returns <paramref name="instrument"/>'s value for <paramref name="tags"/>.</summary>
    public double? Observe(string instrument, params (string Key, string Value)[] tags)
    {
        lock (_measurements) _measurements.RemoveAll(m => m.Instrument == instrument);
        _listener.RecordObservableInstruments();
        lock (_measurements)
        {
            var matching = _measurements.Where(m => m.Instrument == instrument && Matches(m.Tags, tags)).ToList();
            return matching.Count == 0 ? null : matching[^1].Value;
        }
    }

    public void Dispose() => _listener.Dispose();

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = tags.ToArray();
        lock (_measurements) _measurements.Add((instrument.Name, value, copy));
    }

    private static bool Matches(KeyValuePair<string, object?>[] tags, (string Key, string Value)[] wanted) =>
        wanted.All(w => tags.Any(t => t.Key == w.Key && Equals(t.Value?.ToString(), w.Value)));
}
