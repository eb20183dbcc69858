namespace NativeCam.Tests.Weights;

/// <summary>Where test data lives: fixtures next to the test assembly, big shared files in ../shared beside the repo.</summary>
public static class TestPaths
{
    /// <summary>The folder holding NativeCam.sln, found by walking up from the test assembly.</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "fixtures", "weights", name);

    /// <summary>A file under ../shared; fails (never skips) with a clear message when it is not there.</summary>
    public static string Shared(string relative)
    {
        string path = Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", relative));
        if (!File.Exists(path))
            throw new FileNotFoundException($"shared test data missing: {path} (expected in the 'shared' folder next to the repository root {RepoRoot})");
        return path;
    }

    public static string YoloV5n => Shared(Path.Combine("weights", "yolov5n.pt"));

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "NativeCam.sln"))) return dir.FullName;
        }
        throw new DirectoryNotFoundException($"no NativeCam.sln above {AppContext.BaseDirectory}");
    }
}
