using BenchmarkDotNet.Running;
using NativeCam.Bench;

// Runs the benchmark suites: `dotnet run -c Release --project bench -- --filter '*'` (see bench/README.md).
// `-- cam-profile [repeats]` prints where CamBench's time goes instead (Stopwatch medians, bench/cam-results.md).
if (args.Length > 0 && args[0] == "cam-profile")
    CamProfile.Run(args.Length > 1 ? int.Parse(args[1]) : 5);
else
    BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
