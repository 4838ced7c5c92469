namespace OrleansExemplars.Hosting.Security;

/// <summary>
/// A credentials file parsed on first use and again whenever its modification time or length changes (checked at
/// most once a second, so a rotated Kubernetes secret or an edited htpasswd file takes effect without a restart).
/// A file that fails to read or parse keeps the previous contents in force; the failure is logged without secrets.
/// </summary>
public sealed class ReloadingFile<T> where T : class
{
    private static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(1);

    private readonly string _path;
    private readonly Func<string, List<string>, T> _parse;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly object _gate = new();
    private T _current;
    private bool _reportedMissing;
    private (DateTime Modified, long Length)? _version;
    private long _nextCheckTicks = long.MinValue;

    public ReloadingFile(string path, Func<string, List<string>, T> parse, T initial, ILogger logger, TimeProvider time)
    {
        _path = path;
        _parse = parse;
        _current = initial;
        _logger = logger;
        _time = time;
    }

    public T Current
    {
        get
        {
            var now = _time.GetUtcNow().UtcTicks;
            if (now < Interlocked.Read(ref _nextCheckTicks)) return Volatile.Read(ref _current);
            lock (_gate)
            {
                if (now >= _nextCheckTicks)
                {
                    Refresh();
                    Interlocked.Exchange(ref _nextCheckTicks, now + CheckInterval.Ticks);
                }
                return _current;
            }
        }
    }

    private void Refresh()
    {
        try
        {
            var info = new FileInfo(_path);
            if (!info.Exists)
            {
                if (!_reportedMissing)
                {
                    _logger.LogWarning("Credentials file {Path} does not exist; keeping the credentials read before", _path);
                    _reportedMissing = true;
                }
                _version = null;
                return;
            }
            _reportedMissing = false;
            var version = (info.LastWriteTimeUtc, info.Length);
            if (version == _version) return;
            var errors = new List<string>();
            var parsed = _parse(File.ReadAllText(_path), errors);
            _version = version;
            if (errors.Count > 0)
            {
                _logger.LogWarning("Credentials file {Path} has errors, keeping the credentials read before: {Errors}",
                    _path, string.Join("; ", errors));
                return;
            }
            Volatile.Write(ref _current, parsed);
            _logger.LogInformation("Read credentials file {Path}", _path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _logger.LogWarning("Cannot read credentials file {Path} ({Error}); keeping the credentials read before",
                _path, e.GetType().Name);
        }
    }
}
