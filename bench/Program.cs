using BenchmarkDotNet.Running;

// Runs the benchmark suites: `dotnet run -c Release --project bench -- --filter '*'` (see bench/README.md).
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
