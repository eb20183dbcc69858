namespace NativeCam.Tests.Weights;

/// <summary>Where test data lives: fixtures next to the test assembly, the bundled checkpoint in samples/.</summary>
public static class TestPaths
{
    /// <summary>The folder holding NativeCam.sln, found by walking up from the test assembly.</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "fixtures", "weights", name);

    /// <summary>The official yolov5n.pt bundled with the repository (the same file as ../shared/weights/yolov5n.pt).</summary>
    public static string YoloV5n => Path.Combine(RepoRoot, "samples", "yolov5n.pt");

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "NativeCam.sln"))) return dir.FullName;
        }
        throw new DirectoryNotFoundException($"no NativeCam.sln above {AppContext.BaseDirectory}");
    }
}
