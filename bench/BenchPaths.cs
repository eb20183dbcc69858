namespace NativeCam.Bench;

/// <summary>Finds the repository (the folder holding NativeCam.sln) from wherever BenchmarkDotNet runs the build.</summary>
public static class BenchPaths
{
    public static string Root()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
            for (var d = new DirectoryInfo(start); d != null; d = d.Parent)
                if (File.Exists(Path.Combine(d.FullName, "NativeCam.sln"))) return d.FullName;
        throw new DirectoryNotFoundException("run the benchmarks from inside the NativeCam repository");
    }

    public static string Sample(string file) => Path.Combine(Root(), "samples", file);
}
