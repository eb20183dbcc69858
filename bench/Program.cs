using BenchmarkDotNet.Running;
using NativeCam.Bench;

// The benchmark suites: `dotnet run -c Release --project bench -- --filter '*'` (see bench/README.md);
// `-- memory` prints peak device memory of the YOLO passes instead.
if (args is ["memory"]) MemoryReport.Run();
else BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
