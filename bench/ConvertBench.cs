using BenchmarkDotNet.Attributes;
using NativeCam.Weights;

namespace NativeCam.Bench;

/// <summary>
/// Converting ../shared/weights/yolov5n.pt (4,062,133 bytes, fp16): streamed to a .msgpack file,
/// loaded in memory as float32, and the .msgpack read back.
/// Run: dotnet run -c Release --project bench -- --filter '*ConvertBench*' --job short
/// </summary>
[MemoryDiagnoser]
public class ConvertBench
{
    private string _checkpoint = "";
    private string _folder = "";
    private string _output = "";

    [GlobalSetup]
    public void Setup()
    {
        _checkpoint = FindShared(Path.Combine("weights", "yolov5n.pt"));
        _folder = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "nativecam-bench", Guid.NewGuid().ToString("N"))).FullName;
        _output = Path.Combine(_folder, "yolov5n.msgpack");
        CheckpointConverter.Convert(_checkpoint, _output);
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_folder, recursive: true);

    [Benchmark(Description = "convert yolov5n.pt -> .msgpack (streamed)")]
    public long Convert() => CheckpointConverter.Convert(_checkpoint, _output).OutputBytes;

    [Benchmark(Description = "load yolov5n.pt in memory (float32)")]
    public int LoadCheckpoint() => WeightFile.Load(_checkpoint).Tensors.Count;

    [Benchmark(Description = "load yolov5n.msgpack")]
    public int LoadWeightFile() => WeightFile.Load(_output).Tensors.Count;

    /// <summary>../shared next to the repository root (the folder with NativeCam.sln), found from the benchmark's own folder.</summary>
    private static string FindShared(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "NativeCam.sln")))
            {
                string path = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", relative));
                return File.Exists(path) ? path : throw new FileNotFoundException($"missing shared data: {path}");
            }
        }
        throw new DirectoryNotFoundException($"no NativeCam.sln above {AppContext.BaseDirectory}");
    }
}
