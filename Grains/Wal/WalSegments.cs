using System.Globalization;

namespace OrleansExemplars.Grains.Wal;

/// <summary>
/// Segment files of a WAL directory, named by the position (LSN) of their first record so their order and the
/// positions of every record are known without reading them.
/// </summary>
public static class WalSegments
{
    private const string Prefix = "wal-";
    private const string Suffix = ".seg";

    public static string PathFor(string directory, long firstLsn) =>
        Path.Combine(directory, Prefix + firstLsn.ToString("D20", CultureInfo.InvariantCulture) + Suffix);

    /// <summary>(first LSN, path) of every segment, oldest first.</summary>
    public static List<(long FirstLsn, string Path)> List(string directory)
    {
        var segments = new List<(long, string)>();
        if (!System.IO.Directory.Exists(directory)) return segments;
        foreach (var path in System.IO.Directory.EnumerateFiles(directory, Prefix + "*" + Suffix))
        {
            var name = Path.GetFileName(path);
            if (long.TryParse(name.AsSpan(Prefix.Length, name.Length - Prefix.Length - Suffix.Length),
                    NumberStyles.None, CultureInfo.InvariantCulture, out var lsn))
            {
                segments.Add((lsn, path));
            }
        }
        segments.Sort((a, b) => a.Item1.CompareTo(b.Item1));
        return segments;
    }
}
