using System.Runtime.InteropServices;
using OrleansExemplars.LoadTool;

// Deterministic remote-write load and the compose demo producer: see LoadSettings.Usage and docs/load-tool.md.
// Ctrl-C or SIGTERM (docker stop) ends the run gracefully: what is in flight completes and the summary is printed.
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    stop.Cancel();
});
if (args is ["compare", .. var compareArgs])
{
    // Prometheus, VictoriaMetrics and this system side by side on loopback: see CompareSettings.Usage and BENCHMARKS.md.
    return await OrleansExemplars.LoadTool.Compare.CompareCommand.RunAsync(compareArgs, Console.Out, Console.Error,
        interactive: !Console.IsOutputRedirected, stop.Token);
}
return await RemoteWriteLoad.RunAsync(args, Console.Out, Console.Error, interactive: !Console.IsOutputRedirected, stop.Token);
