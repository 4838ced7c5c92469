using System.Diagnostics;
using System.Text;

namespace OrleansExemplars.Tests.Support;

/// <summary>
/// Debian's <c>chromium</c>, headless, one short-lived browser per call (a fresh profile each time). It may reach
/// loopback only: every other host name resolves to nothing, and Chromium's own background traffic is off.
/// </summary>
public static class HeadlessChromium
{
    public static string Binary => RequiredComponent.Binary("chromium", "Debian's chromium (./test.sh installs it)");

    /// <summary>
    /// The DOM after the page's scripts ran for <paramref name="virtualTime"/> of virtual time (timers fast-forwarded;
    /// Chromium waits for network fetches before advancing it, so an SPA's polling has fetched and rendered).
    /// </summary>
    public static async Task<string> DumpDomAsync(Uri url, TimeSpan virtualTime, TimeSpan timeout)
    {
        var (stdout, _) = await RunAsync([$"--virtual-time-budget={(int)virtualTime.TotalMilliseconds}", "--dump-dom", url.AbsoluteUri], timeout);
        return stdout;
    }

    /// <summary>A PNG of the viewport (<paramref name="width"/>×<paramref name="height"/>) after <paramref name="virtualTime"/>.</summary>
    public static async Task ScreenshotAsync(Uri url, string path, int width, int height, TimeSpan virtualTime, TimeSpan timeout)
    {
        if (File.Exists(path)) File.Delete(path);
        var (_, stderr) = await RunAsync([$"--virtual-time-budget={(int)virtualTime.TotalMilliseconds}", $"--screenshot={path}",
            $"--window-size={width},{height}", "--hide-scrollbars", url.AbsoluteUri], timeout);
        if (!File.Exists(path)) throw new InvalidOperationException($"chromium wrote no screenshot to {path}: {stderr}");
    }

    private static async Task<(string Stdout, string Stderr)> RunAsync(IEnumerable<string> arguments, TimeSpan timeout)
    {
        var profile = Directory.CreateTempSubdirectory("oe-chromium-");
        try
        {
            var psi = new ProcessStartInfo(Binary)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in (string[])[
                         "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         $"--user-data-dir={profile.FullName}",
                         "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--mute-audio",
                         "--disable-background-networking", "--disable-component-update", "--disable-sync",
                         "--disable-domain-reliability", "--no-pings",
                         // Loopback only: any other name fails to resolve (the dashboard loads nothing from elsewhere).
                         "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
                     ])
            {
                psi.ArgumentList.Add(argument);
            }
            foreach (var argument in arguments) psi.ArgumentList.Add(argument);
            using var process = Process.Start(psi) ?? throw new InvalidOperationException("chromium did not start");
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var cancel = new CancellationTokenSource(timeout);
            try
            {
                await process.WaitForExitAsync(cancel.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
                throw new TimeoutException($"chromium did not finish within {timeout.TotalSeconds:0} s: {await stderr}");
            }
            var (output, errors) = (await stdout, await stderr);
            if (process.ExitCode != 0) throw new InvalidOperationException($"chromium exited with {process.ExitCode}: {errors}");
            return (output, errors);
        }
        finally
        {
            try { profile.Delete(recursive: true); } catch (IOException) { } // a helper process may still hold a file
        }
    }
}

/// <summary>Reads a PNG as Chromium writes it (8-bit greyscale/RGB/RGBA, not interlaced) into pixels.</summary>
public sealed class PngImage
{
    public required int Width { get; init; }
    public required int Height { get; init; }

    /// <summary>Each pixel as 0xRRGGBB (alpha ignored).</summary>
    public required int[] Pixels { get; init; }

    public static PngImage Read(byte[] file)
    {
        ReadOnlySpan<byte> signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];
        if (file.Length < 8 || !file.AsSpan(0, 8).SequenceEqual(signature)) throw new InvalidDataException("not a PNG (signature)");
        int width = 0, height = 0, channels = 0;
        using var idat = new MemoryStream();
        var sawEnd = false;
        for (var at = 8; at + 12 <= file.Length && !sawEnd;)
        {
            var length = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(file.AsSpan(at));
            var type = Encoding.ASCII.GetString(file, at + 4, 4);
            if (length < 0 || at + 12 + length > file.Length) throw new InvalidDataException($"PNG chunk {type} runs past the end");
            var data = file.AsSpan(at + 8, length);
            switch (type)
            {
                case "IHDR":
                    width = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(data);
                    height = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                    var (bitDepth, colourType, interlace) = (data[8], data[9], data[12]);
                    channels = colourType switch { 0 => 1, 2 => 3, 4 => 2, 6 => 4, _ => 0 };
                    if (bitDepth != 8 || channels == 0 || interlace != 0)
                    {
                        throw new InvalidDataException($"unsupported PNG: depth {bitDepth}, colour type {colourType}, interlace {interlace}");
                    }
                    break;
                case "IDAT":
                    idat.Write(data);
                    break;
                case "IEND":
                    sawEnd = true;
                    break;
            }
            at += 12 + length;
        }
        if (channels == 0 || !sawEnd) throw new InvalidDataException("PNG without IHDR or IEND");

        var stride = width * channels;
        var raw = new byte[(stride + 1) * height];
        idat.Position = 0;
        using (var zlib = new System.IO.Compression.ZLibStream(idat, System.IO.Compression.CompressionMode.Decompress))
        {
            zlib.ReadExactly(raw);
        }
        var pixels = new int[width * height];
        var previous = new byte[stride];
        var row = new byte[stride];
        for (var y = 0; y < height; y++)
        {
            var filter = raw[y * (stride + 1)];
            raw.AsSpan(y * (stride + 1) + 1, stride).CopyTo(row);
            for (var i = 0; i < stride; i++)
            {
                int a = i >= channels ? row[i - channels] : 0, b = previous[i], c = i >= channels ? previous[i - channels] : 0;
                row[i] = (byte)(row[i] + filter switch
                {
                    0 => 0,
                    1 => a,
                    2 => b,
                    3 => (a + b) / 2,
                    4 => Paeth(a, b, c),
                    _ => throw new InvalidDataException($"PNG filter {filter}"),
                });
            }
            for (var x = 0; x < width; x++)
            {
                var p = x * channels;
                pixels[y * width + x] = channels < 3
                    ? row[p] * 0x010101
                    : (row[p] << 16) | (row[p + 1] << 8) | row[p + 2];
            }
            (previous, row) = (row, previous);
        }
        return new PngImage { Width = width, Height = height, Pixels = pixels };
    }

    private static int Paeth(int a, int b, int c)
    {
        var p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}
