using BenchmarkDotNet.Running;
using OrleansExemplars.Benchmarks;
using OrleansExemplars.Benchmarks.Load;

// `memory`: bytes per stored exemplar of a full ring, measured with GC.GetTotalMemory (see BENCHMARKS.md).
// Anything else goes to BenchmarkDotNet, e.g. `--filter '*ExemplarRing*' --job short`.
// Remote-write load on a running system (HTTP or Kafka) is the LoadTool project's, not a command here.
if (args is ["load", ..])
{
    Console.Error.WriteLine("`load` moved to the LoadTool project: dotnet LoadTool/bin/Release/net10.0/OrleansExemplars.LoadTool.dll --help");
    return 2;
}

// `kafka`: end-to-end ingest from librdkafka's mock broker into an in-process silo until the topic is drained.
if (args is ["kafka", .. var kafkaArgs])
{
    return await KafkaIngestLoad.RunAsync(kafkaArgs);
}

// `wal`: exemplar WAL append throughput with fsync group commit, and replay time.
if (args is ["wal", .. var walArgs])
{
    return await WalLoad.RunAsync(walArgs);
}

// `restart`: time for the real Silo program to replay a crashed silo's WAL (1 M exemplars by default) and serve it all.
if (args is ["restart", .. var restartArgs])
{
    return await RestartLoad.RunAsync(restartArgs);
}

if (args is ["memory", ..])
{
    MemoryReport.Run(Console.Out);
    return 0;
}

BenchmarkSwitcher.FromAssembly(typeof(ExemplarRingBenchmarks).Assembly).Run(args);
return 0;
