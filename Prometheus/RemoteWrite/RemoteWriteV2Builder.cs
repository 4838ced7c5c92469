using Google.Protobuf;
using Google.Protobuf.Collections;
using OrleansExemplars.Prometheus.Model;

namespace OrleansExemplars.Prometheus.RemoteWrite;

/// <summary>
/// Builds remote-write 2.0 requests: every string goes into the symbols table once (<c>symbols[0]</c> is "", as the
/// spec asks) and series and exemplar labels become references to it. Not thread-safe; <see cref="Build"/> hands the
/// request over and starts the next one.
/// </summary>
public sealed class RemoteWriteV2Builder
{
    private readonly Dictionary<string, uint> _refs = new(StringComparer.Ordinal);
    private V2.Request _request = null!;

    public RemoteWriteV2Builder() => Start();

    public int SeriesCount => _request.Timeseries.Count;

    public int SymbolCount => _request.Symbols.Count;

    /// <summary>The index of <paramref name="symbol"/> in the symbols table, adding it on first use.</summary>
    public uint Intern(string symbol)
    {
        if (!_refs.TryGetValue(symbol, out var index))
        {
            index = (uint)_request.Symbols.Count;
            _request.Symbols.Add(ByteString.CopyFromUtf8(symbol));
            _refs[symbol] = index;
        }
        return index;
    }

    /// <summary>Adds a series with no samples yet; add them to the returned series' <c>Samples</c>.</summary>
    public V2.TimeSeries AddSeries(LabelSet series)
    {
        var ts = new V2.TimeSeries();
        AddRefs(ts.LabelsRefs, series);
        _request.Timeseries.Add(ts);
        return ts;
    }

    public V2.TimeSeries AddSeries(LabelSet series, ReadOnlySpan<Model.Exemplar> exemplars)
    {
        var ts = AddSeries(series);
        foreach (ref readonly var e in exemplars) AddExemplar(ts, e);
        return ts;
    }

    public V2.TimeSeries AddSeries(SeriesExemplars series) => AddSeries(series.Series, series.Exemplars);

    public static V2.TimeSeries AddSample(V2.TimeSeries series, double value, long timestampMs)
    {
        series.Samples.Add(new V2.Sample { Value = value, Timestamp = timestampMs });
        return series;
    }

    /// <summary>
    /// Adds an exemplar to a series of this request. An exemplar without a timestamp is sent with timestamp 0, the
    /// wire's "none" (so one at exactly 0 ms reads back as having none, as with Prometheus).
    /// </summary>
    public void AddExemplar(V2.TimeSeries series, in Model.Exemplar exemplar)
    {
        var e = new V2.Exemplar { Value = exemplar.Value, Timestamp = exemplar.HasTimestamp ? exemplar.TimestampMs : 0 };
        AddRefs(e.LabelsRefs, exemplar.Labels);
        series.Exemplars.Add(e);
    }

    public void SetMetadata(V2.TimeSeries series, V2.Metadata.Types.MetricType type, string help = "", string unit = "") =>
        series.Metadata = new V2.Metadata { Type = type, HelpRef = Intern(help), UnitRef = Intern(unit) };

    /// <summary>The request built so far; the builder starts an empty one.</summary>
    public V2.Request Build()
    {
        var request = _request;
        Start();
        return request;
    }

    private void AddRefs(RepeatedField<uint> refs, LabelSet labels)
    {
        // A LabelSet is sorted by name, as the spec wants labels_refs to be.
        foreach (ref readonly var label in labels.AsSpan())
        {
            refs.Add(Intern(label.Name));
            refs.Add(Intern(label.Value));
        }
    }

    private void Start()
    {
        _request = new V2.Request();
        _refs.Clear();
        Intern("");
    }
}
