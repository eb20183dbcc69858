using SharpFuzz;

namespace NativeCam.Fuzz;

/// <summary>
/// <c>NativeCam.Fuzz afl TARGET</c>: the AFL++ fork server (inputs from afl-fuzz, the assemblies instrumented by
/// sharpfuzz; see fuzz/run.sh). <c>NativeCam.Fuzz libfuzzer TARGET</c>: the same under libFuzzer's driver.
/// <c>NativeCam.Fuzz replay TARGET PATH...</c>: runs files or folders of inputs once each (a crash reproduces
/// with its stack trace). <c>NativeCam.Fuzz seeds FOLDER</c>: writes the generated seed files of fuzz/corpus.
/// </summary>
static class Program
{
    static int Main(string[] args)
    {
        if (args.Length >= 2 && args[0] == "seeds") { Seeds.Write(args[1]); return 0; }
        if (args.Length < 2 || !Targets.All.TryGetValue(args[1], out var target))
        {
            Console.Error.WriteLine($"usage: NativeCam.Fuzz afl|libfuzzer|replay TARGET [PATH...] | seeds FOLDER; targets: {string.Join(", ", Targets.All.Keys)}");
            return 2;
        }
        switch (args[0])
        {
            case "afl":
                Fuzzer.OutOfProcess.Run(stream =>
                {
                    using var copy = new MemoryStream();
                    stream.CopyTo(copy);
                    target(copy.ToArray());
                });
                return 0;
            case "libfuzzer":
                Fuzzer.LibFuzzer.Run(span => target(span.ToArray()));
                return 0;
            case "replay":
                int runs = 0;
                foreach (var file in args.Skip(2).SelectMany(Inputs))
                {
                    target(File.ReadAllBytes(file));
                    runs++;
                }
                Console.WriteLine($"{args[1]}: {runs} inputs replayed, no crash");
                return 0;
            default:
                Console.Error.WriteLine($"unknown mode {args[0]}");
                return 2;
        }
    }

    static IEnumerable<string> Inputs(string path) => Directory.Exists(path)
        ? Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Where(f => !Path.GetFileName(f).StartsWith('.')).Order(StringComparer.Ordinal)
        : [path];
}
