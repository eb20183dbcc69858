using BenchmarkDotNet.Running;
using NativeCam.Bench;

// The benchmark suites: `dotnet run -c Release --project bench -- --filter '*'` (see bench/README.md).
// `-- memory` prints peak device memory of the YOLO passes; `-- cam-profile [repeats]` prints where
// CamBench's time goes (Stopwatch medians, bench/cam-results.md); `-- vit [repeats]` times ViT-B/16 (VitBench).
if (args is ["memory"]) MemoryReport.Run();
else if (args.Length > 0 && args[0] == "cam-profile") CamProfile.Run(args.Length > 1 ? int.Parse(args[1]) : 5);
else if (args.Length > 0 && args[0] == "vit") VitBench.Run(args.Length > 1 ? int.Parse(args[1]) : 1);
else if (args.Length > 0 && args[0] == "gemm-table") GemmTable.Run(args[1..]); // GEMM GFLOP/s and % of measured peak per shape (GemmBench)
else BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
