using System.IO;

namespace OrleansExemplars.Tests.Support;

/// <summary>The pinned Azurite (Azurite/package.json, installed by ./test.sh with npm ci) on free loopback ports, in memory.</summary>
public sealed class AzuriteServer : IAsyncDisposable
{
    private const string Key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private readonly ServerProcess _process;

    private AzuriteServer(ServerProcess process, string connectionString)
    {
        _process = process;
        ConnectionString = connectionString;
    }

    public string ConnectionString { get; }

    public static async Task<AzuriteServer> StartAsync()
    {
        var node = RequiredComponent.Binary("node", "Node.js");
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "OrleansExemplars.sln"))) dir = dir.Parent;
        var azurite = Path.Combine(dir?.FullName ?? ".", "Azurite", "node_modules", "azurite", "dist", "src", "azurite.js");
        if (!File.Exists(azurite))
        {
            throw new InvalidOperationException($"{azurite} is missing: run ./test.sh, which installs Azurite (npm ci in Azurite/).");
        }
        int blob = FreePort.Next(), queue = FreePort.Next(), table = FreePort.Next();
        var process = await ServerProcess.StartAsync(node,
        [
            azurite, "--silent", "--skipApiVersionCheck", "--loose", "--inMemoryPersistence",
            "--blobHost", "127.0.0.1", "--blobPort", blob.ToString(), "--queueHost", "127.0.0.1", "--queuePort", queue.ToString(),
            "--tableHost", "127.0.0.1", "--tablePort", table.ToString(),
        ], new Uri($"http://127.0.0.1:{blob}/devstoreaccount1?comp=list"), TimeSpan.FromSeconds(60), anyAnswer: true);
        return new AzuriteServer(process,
            $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={Key};" +
            $"BlobEndpoint=http://127.0.0.1:{blob}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{queue}/devstoreaccount1;" +
            $"TableEndpoint=http://127.0.0.1:{table}/devstoreaccount1;");
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
