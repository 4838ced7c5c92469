using Xunit;

namespace OrleansExemplars.Tests.Kafka;

/// <summary>
/// Tests that count the process's librdkafka threads run alone, after every parallel collection: a Kafka client
/// created by another test at the same moment would change the count.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ThreadCountingCollection
{
    public const string Name = "librdkafka thread counting";

    /// <summary>Threads of this process that librdkafka started (it names them <c>rdk:main</c>, <c>rdk:broker…</c>).</summary>
    public static int RdkThreads()
    {
        var count = 0;
        foreach (var task in Directory.GetDirectories("/proc/self/task"))
        {
            try
            {
                if (File.ReadAllText(Path.Combine(task, "comm")).StartsWith("rdk:", StringComparison.Ordinal)) count++;
            }
            catch (IOException)
            {
                // The thread ended while the directory was read.
            }
        }
        return count;
    }
}
