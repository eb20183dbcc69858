namespace NativeCam.Tests.Weights;

/// <summary>A fresh empty folder, deleted with its content on dispose.</summary>
public sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateDirectory(System.IO.Path.Combine(System.IO.Path.GetTempPath(), "nativecam-tests", Guid.NewGuid().ToString("N"))).FullName;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Makes a named pipe (FIFO) called <paramref name="name"/> in the folder: reading it would block forever.</summary>
    public string Fifo(string name)
    {
        using var mkfifo = System.Diagnostics.Process.Start("mkfifo", [File(name)]);
        mkfifo.WaitForExit();
        if (mkfifo.ExitCode != 0) throw new IOException($"mkfifo {File(name)} failed");
        return File(name);
    }

    /// <summary>Names of everything in the folder, sorted.</summary>
    public string[] Listing() => Directory.EnumerateFileSystemEntries(Path).Select(p => System.IO.Path.GetFileName(p)!).Order().ToArray();

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { /* best effort: a leftover temp folder is harmless */ }
    }
}
