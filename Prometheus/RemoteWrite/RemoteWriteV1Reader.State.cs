using System.Text;
using System.Text.Unicode;
using OrleansExemplars.Prometheus.Model;
using static OrleansExemplars.Prometheus.Wire.RemoteWriteV1Tags;

namespace OrleansExemplars.Prometheus.RemoteWrite;

public static partial class RemoteWriteV1Reader
{
    /// <summary>
    /// One request's reading state: the current series' parts as offsets into the request's bytes, and the cache of
    /// validated series (<see cref="ValidatedSeriesCache"/>; none when null) its series are looked up in.
    /// </summary>
    private sealed class State(Utf8StringCache strings, SeriesLimits limits, ValidatedSeriesCache? cache)
    {
        private LabelRef[] _labels = new LabelRef[16];
        private int _labelCount;
        private LabelRef[] _exemplarLabels = new LabelRef[16];
        private int _exemplarLabelCount;
        private ExemplarRef[] _exemplars = new ExemplarRef[4];
        private int _exemplarCount;
        private Sample[] _samples = new Sample[4];
        private int _sampleCount;
        private NativeHistogram[] _histograms = new NativeHistogram[2];
        private int _histogramCount;

        // Validation scratch: label names as strings and the sorted order of labels.
        private string[] _names = new string[16];
        private int[] _order = new int[16];
        private bool _lastSorted;

        // The current series' label fields, [_labelsStart, _labelsEnd) of the request, when nothing else lies between
        // them: the key of the series in the cache.
        private int _labelsStart, _labelsEnd;
        private bool _labelsContiguous;
        private readonly int _limitsHash = limits.GetHashCode();

        // The current series once its labels are known valid: from the cache (a hit) or just validated.
        private ValidatedSeriesCache.Entry? _entry;
        private bool _namesFilled; // _names and _order hold the series' labels (not just an exemplar's)
        private int _kept;
        private int _metricIndex;
        private string _metricName = "";

        /// <summary>
        /// How the request's series are kept for the forwarders: as <see cref="DecodedWrite.Forward"/> series, whole
        /// (<see cref="DecodedWrite.Block"/>, <see cref="BlockBroken"/> telling whether that was possible), or not at
        /// all (nothing is forwarded).
        /// </summary>
        public ForwardForm Form { get; init; }

        private bool ForwardAsBlock => Form == ForwardForm.Block;

        private bool ForwardSeriesList => Form == ForwardForm.Series;

        /// <summary>Something in the request cannot be forwarded as sent (an invalid series, unsorted labels, a histogram).</summary>
        public bool BlockBroken { get; private set; }

        public long? HighestTimestampMs { get; private set; }

        /// <summary>Series with samples or exemplars, when reading <see cref="ForwardAsBlock"/>.</summary>
        public int BlockSeries { get; private set; }

        public void ParseSeries(ReadOnlySpan<byte> data, int pos, int end, int depth)
        {
            _labelCount = _exemplarLabelCount = _exemplarCount = _sampleCount = _histogramCount = 0;
            _labelsContiguous = true;
            while (pos < end)
            {
                var fieldStart = pos;
                var tag = ReadTag(data, ref pos, end);
                switch (tag)
                {
                    case LabelsTag:
                    {
                        if (_labelCount == 0) _labelsStart = fieldStart;
                        else if (fieldStart != _labelsEnd) _labelsContiguous = false;
                        var length = ReadLength(data, ref pos, end);
                        Add(ref _labels, ref _labelCount, ParseLabel(data, pos, pos + length, depth + 1));
                        pos += length;
                        _labelsEnd = pos;
                        break;
                    }
                    case SamplesTag:
                    {
                        var length = ReadLength(data, ref pos, end);
                        Add(ref _samples, ref _sampleCount, ParseSample(data, pos, pos + length, depth + 1));
                        pos += length;
                        break;
                    }
                    case ExemplarsTag:
                    {
                        var length = ReadLength(data, ref pos, end);
                        Add(ref _exemplars, ref _exemplarCount, ParseExemplar(data, pos, pos + length, depth + 1));
                        pos += length;
                        break;
                    }
                    case HistogramsTag:
                    {
                        var length = ReadLength(data, ref pos, end);
                        Add(ref _histograms, ref _histogramCount, ParseHistogram(data, pos, pos + length, depth + 1));
                        pos += length;
                        break;
                    }
                    default:
                        SkipField(data, ref pos, end, tag, depth);
                        break;
                }
            }
        }

        private ExemplarRef ParseExemplar(ReadOnlySpan<byte> data, int pos, int end, int depth)
        {
            CheckDepth(depth);
            var exemplar = new ExemplarRef { FirstLabel = _exemplarLabelCount };
            while (pos < end)
            {
                var tag = ReadTag(data, ref pos, end);
                switch (tag)
                {
                    case LabelsTag:
                    {
                        var length = ReadLength(data, ref pos, end);
                        Add(ref _exemplarLabels, ref _exemplarLabelCount, ParseLabel(data, pos, pos + length, depth + 1));
                        pos += length;
                        break;
                    }
                    case ExemplarValueTag:
                        exemplar.Value = ReadDouble(data, ref pos, end);
                        break;
                    case ExemplarTsTag:
                        exemplar.TimestampMs = (long)ReadVarint(data, ref pos, end);
                        break;
                    default:
                        SkipField(data, ref pos, end, tag, depth);
                        break;
                }
            }
            exemplar.LabelCount = _exemplarLabelCount - exemplar.FirstLabel;
            return exemplar;
        }

        /// <summary>
        /// Applies <see cref="SeriesValidation"/>'s rules to the series just parsed and adds it to <paramref name="result"/>.
        /// Labels found in the cache (<see cref="ValidatedSeriesCache"/>) are known valid, sorted and named: only the
        /// series' samples, exemplars and histograms are checked. Labels that pass the checks sorted are stored there.
        /// </summary>
        public void Validate(ReadOnlySpan<byte> data, DecodedWrite result)
        {
            result.SeriesCount++;
            _entry = Cached(data, out var hash);
            _namesFilled = false;
            if (_entry is not null)
            {
                _kept = _labelCount;
                _metricIndex = -1;
                _metricName = _entry.MetricName;
            }
            else
            {
                if (!TryCheckLabels(data, _labels, 0, _labelCount, dropEmptyValues: false, out _kept, out var labelError))
                {
                    result.Invalid.Add(new InvalidSeries(Describe(data), labelError));
                    BlockBroken = true;
                    return;
                }
                _namesFilled = true;
                if (!_lastSorted) BlockBroken = true;
                _metricIndex = Find(LabelSet.MetricName, _kept);
                _metricName = _metricIndex < 0 ? "" : ValueString(data, _labels[_order[_metricIndex]], intern: true);
                if (_metricName.Length == 0)
                {
                    result.Invalid.Add(new InvalidSeries(SeriesLabels(data).ToString(), SeriesValidation.MissingMetricName));
                    BlockBroken = true;
                    return;
                }
                if ((LegacyNameError(_metricName, _kept) ?? SeriesValidation.MetricNameError(_metricName, limits)) is { } nameError)
                {
                    result.Invalid.Add(new InvalidSeries(SeriesValidation.Describe(SeriesLabels(data)), nameError));
                    BlockBroken = true;
                    return;
                }
                if (_lastSorted && IsCacheable) Store(data, hash);
            }
            if (_histogramCount > 0) BlockBroken = true;
            var metricName = _metricName;
            // A series with nothing in it goes nowhere.
            if (_sampleCount == 0 && _exemplarCount == 0 && _histogramCount == 0) return;
            if (ForwardAsBlock)
            {
                BlockSeries++;
                for (var i = 0; i < _sampleCount; i++)
                {
                    if (HighestTimestampMs is not { } h || _samples[i].TimestampMs > h) HighestTimestampMs = _samples[i].TimestampMs;
                }
            }
            if (_exemplarCount == 0)
            {
                if (HistogramError() is { } histogramError)
                {
                    result.Invalid.Add(new InvalidSeries(SeriesLabels(data).ToString(), histogramError));
                    BlockBroken = true;
                    return;
                }
                result.SampleCount += _sampleCount;
                result.HistogramCount += _histogramCount;
                // Samples only, and the request goes on whole or not at all: nothing to build for this series.
                if (!ForwardSeriesList) return;
                // No exemplars: the series just passes through to the forwarders, which need its labels as bytes (the
                // 1.0 wire form and the shard hash), not as strings.
                result.Forward.Add(new ForwardSeries(_entry?.WireLabels ?? WireLabels(data, _kept),
                    _samples.AsSpan(0, _sampleCount).ToArray(), [], Histograms()));
                return;
            }
            var series = SeriesLabels(data);

            var exemplars = new Exemplar[_exemplarCount];
            for (var i = 0; i < exemplars.Length; i++)
            {
                ref readonly var e = ref _exemplars[i];
                // Prometheus drops empty-valued exemplar labels (headAppender.AppendExemplar: Labels.WithoutEmpty()).
                if (!TryCheckLabels(data, _exemplarLabels, e.FirstLabel, e.LabelCount, dropEmptyValues: true,
                        out var exemplarKept, out var error))
                {
                    result.Invalid.Add(new InvalidSeries(series.ToString(), SeriesValidation.ExemplarPrefix + error));
                    BlockBroken = true;
                    return;
                }
                exemplars[i] = new Exemplar(BuildLabels(data, _exemplarLabels, exemplarKept, -1, ""), e.Value,
                    e.TimestampMs, HasTimestamp: e.TimestampMs != 0);
            }
            if (HistogramError() is { } exemplarSeriesHistogramError)
            {
                result.Invalid.Add(new InvalidSeries(series.ToString(), exemplarSeriesHistogramError));
                BlockBroken = true;
                return;
            }

            var samples = _sampleCount == 0 ? [] : _samples.AsSpan(0, _sampleCount).ToArray();
            result.SampleCount += samples.Length;
            result.HistogramCount += _histogramCount;
            result.ExemplarCount += exemplars.Length;
            // Exemplar-bearing series go to the metric grains as well: their labels are strings, shared with them.
            if (ForwardSeriesList) result.Forward.Add(new ForwardSeries(series, samples, exemplars, Histograms()));
            if (!result.ExemplarsByMetric.TryGetValue(metricName, out var list))
            {
                result.ExemplarsByMetric[metricName] = list = [];
            }
            list.Add(new SeriesExemplars(series, exemplars, NativeHistogram: _histogramCount > 0));
        }

        /// <summary>The series can have an entry in the cache: there is one, and its label fields are its key.</summary>
        private bool IsCacheable => cache is not null && _labelCount > 0 && _labelsContiguous;

        /// <summary>The cache's entry for the current series' labels, or null; <paramref name="hash"/> keys it.</summary>
        private ValidatedSeriesCache.Entry? Cached(ReadOnlySpan<byte> data, out ulong hash)
        {
            if (!IsCacheable)
            {
                hash = 0;
                return null;
            }
            var key = data[_labelsStart.._labelsEnd];
            hash = cache!.Hash(key, _limitsHash);
            return cache.Find(key, hash, limits);
        }

        /// <summary>Stores the current series, just validated with its labels sorted, in the cache.</summary>
        private void Store(ReadOnlySpan<byte> data, ulong hash)
        {
            var sent = data[_labelsStart.._labelsEnd];
            var wire = WireLabels(data, _kept);
            // Labels framed as the wire form frames them (Prometheus' are) are kept once.
            var key = sent.SequenceEqual(wire) ? wire : sent.ToArray();
            _entry = new ValidatedSeriesCache.Entry(key, hash, limits, _metricName, wire, labels: null);
            cache!.Store(_entry);
        }

        /// <summary>
        /// The current series' label set (its labels known valid): the cached one, or built (and then cached when the
        /// series has an entry).
        /// </summary>
        private LabelSet SeriesLabels(ReadOnlySpan<byte> data)
        {
            if (_entry?.Labels is { } cached) return cached;
            if (!_namesFilled)
            {
                // A hit: the labels are sorted and valid, only their names are needed as strings.
                EnsureNames(_labelCount);
                for (var i = 0; i < _labelCount; i++)
                {
                    ref readonly var l = ref _labels[i];
                    _names[i] = strings.Get(data.Slice(l.NameStart, l.NameLength));
                    _order[i] = i;
                }
                _metricIndex = Find(LabelSet.MetricName, _kept);
                _namesFilled = true;
            }
            var labels = BuildLabels(data, _labels, _kept, _metricIndex, _metricName);
            if (_entry is not null)
            {
                var withLabels = _entry.WithLabels(labels);
                cache!.Store(withLabels, replacing: _entry);
                _entry = withLabels;
            }
            return labels;
        }

        private NativeHistogram[]? Histograms() => _histogramCount == 0 ? null : _histograms.AsSpan(0, _histogramCount).ToArray();

        /// <summary>Why the series' first invalid native histogram is refused (<see cref="SeriesValidation.HistogramError"/>), or null.</summary>
        private string? HistogramError()
        {
            for (var i = 0; i < _histogramCount; i++)
            {
                if (SeriesValidation.HistogramError(_histograms[i]) is { } error) return error;
            }
            return null;
        }

        /// <summary>
        /// <see cref="LabelsBuilder"/>'s rules over <paramref name="count"/> labels from <paramref name="first"/>:
        /// names valid UTF-8 and not empty, values valid UTF-8 (checked label by label, in the order sent), then no
        /// name twice. On success <c>_names[.._kept]</c> holds the kept labels' names and <c>_order[.._kept]</c>
        /// their indexes, sorted by name as <see cref="LabelSet"/> sorts.
        /// </summary>
        private bool TryCheckLabels(ReadOnlySpan<byte> data, LabelRef[] labels, int first, int count,
            bool dropEmptyValues, out int kept, out string error)
        {
            EnsureNames(count);
            _namesFilled = false;
            kept = 0;
            var sorted = true;
            for (var i = first; i < first + count; i++)
            {
                ref readonly var l = ref labels[i];
                var nameBytes = data.Slice(l.NameStart, l.NameLength);
                if (!Utf8.IsValid(nameBytes))
                {
                    error = SeriesValidation.InvalidLabelName;
                    return false;
                }
                if (nameBytes.IsEmpty)
                {
                    error = SeriesValidation.EmptyLabelName;
                    return false;
                }
                var name = strings.Get(nameBytes);
                var valueBytes = data.Slice(l.ValueStart, l.ValueLength);
                if (!Utf8.IsValid(valueBytes))
                {
                    error = SeriesValidation.InvalidLabelValue(name);
                    return false;
                }
                if (name.Length > limits.MaxLabelNameLength)
                {
                    error = SeriesValidation.LabelNameTooLong(name, limits.MaxLabelNameLength);
                    return false;
                }
                // A UTF-8 byte never stands for more than one UTF-16 code unit: only a long value needs counting.
                if (valueBytes.Length > limits.MaxLabelValueLength &&
                    Encoding.UTF8.GetCharCount(valueBytes) is var valueLength && valueLength > limits.MaxLabelValueLength)
                {
                    error = SeriesValidation.LabelValueTooLong(name, valueLength, limits.MaxLabelValueLength);
                    return false;
                }
                if (dropEmptyValues && l.ValueLength == 0) continue;
                if (kept > 0 && string.CompareOrdinal(_names[kept - 1], name) > 0) sorted = false;
                _names[kept] = name;
                _order[kept] = i;
                kept++;
            }
            _lastSorted = sorted;
            if (!sorted) Array.Sort(_names, _order, 0, kept, StringComparer.Ordinal);
            for (var i = 1; i < kept; i++)
            {
                if (string.Equals(_names[i - 1], _names[i], StringComparison.Ordinal))
                {
                    error = SeriesValidation.DuplicateLabelName(_names[i]);
                    return false;
                }
            }
            error = "";
            return true;
        }

        private void EnsureNames(int count)
        {
            if (_names.Length >= count) return;
            _names = new string[Math.Max(count, _names.Length * 2)];
            _order = new int[_names.Length];
        }

        /// <summary><see cref="SeriesValidation.NameSchemeError"/> over the names <see cref="TryCheckLabels"/> kept.</summary>
        private string? LegacyNameError(string metricName, int kept)
        {
            if (limits.NameValidation != NameValidationScheme.Legacy) return null;
            if (!LegacyNames.IsValidMetricName(metricName)) return SeriesValidation.LegacyMetricName(metricName);
            for (var i = 0; i < kept; i++)
            {
                if (!LegacyNames.IsValidLabelName(_names[i])) return SeriesValidation.LegacyLabelName(_names[i]);
            }
            return null;
        }

        private int Find(string name, int kept)
        {
            for (var i = 0; i < kept; i++)
            {
                if (ReferenceEquals(_names[i], name) || string.Equals(_names[i], name, StringComparison.Ordinal)) return i;
            }
            return -1;
        }

        /// <summary>The label set of the labels <see cref="TryCheckLabels"/> kept, already sorted.</summary>
        private LabelSet BuildLabels(ReadOnlySpan<byte> data, LabelRef[] labels, int kept, int metricIndex,
            string metricName)
        {
            if (kept == 0) return LabelSet.Empty;
            var array = new Label[kept];
            for (var i = 0; i < kept; i++)
            {
                var value = i == metricIndex ? metricName : ValueString(data, labels[_order[i]], intern: false);
                array[i] = new Label(_names[i], value);
            }
            return LabelSet.FromOwnedArray(array);
        }

        /// <summary>The kept labels, sorted, in <see cref="LabelWireFormat"/>: the bytes as sent, re-framed.</summary>
        private byte[] WireLabels(ReadOnlySpan<byte> data, int kept)
        {
            var size = 0;
            for (var i = 0; i < kept; i++)
            {
                ref readonly var l = ref _labels[_order[i]];
                size += LabelWireFormat.LabelSize(l.NameLength, l.ValueLength);
            }
            var wire = new byte[size];
            var pos = 0;
            for (var i = 0; i < kept; i++)
            {
                ref readonly var l = ref _labels[_order[i]];
                LabelWireFormat.WriteLabel(wire, ref pos, data.Slice(l.NameStart, l.NameLength),
                    data.Slice(l.ValueStart, l.ValueLength));
            }
            return wire;
        }

        private string ValueString(ReadOnlySpan<byte> data, in LabelRef label, bool intern)
        {
            var bytes = data.Slice(label.ValueStart, label.ValueLength);
            return bytes.IsEmpty ? "" : intern ? strings.Get(bytes) : Encoding.UTF8.GetString(bytes);
        }

        /// <summary>The series' labels as sent, for an error message (lossy UTF-8, in the sender's order).</summary>
        private string Describe(ReadOnlySpan<byte> data)
        {
            var sb = new StringBuilder("{");
            for (var i = 0; i < _labelCount; i++)
            {
                ref readonly var l = ref _labels[i];
                if (sb.Length > 1) sb.Append(", ");
                sb.Append(SeriesValidation.Abbreviate(Encoding.UTF8.GetString(data.Slice(l.NameStart, l.NameLength)))).Append("=\"")
                  .Append(SeriesValidation.Abbreviate(Encoding.UTF8.GetString(data.Slice(l.ValueStart, l.ValueLength)))).Append('"');
            }
            return sb.Append('}').ToString();
        }

        private static void Add<T>(ref T[] array, ref int count, in T item)
        {
            if (count == array.Length) Array.Resize(ref array, array.Length * 2);
            array[count++] = item;
        }
    }
}
