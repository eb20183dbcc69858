namespace NativeCam.Cli;

/// <summary>
/// One image's output folder, written atomically: files go to a hidden staging folder next to the destination,
/// which replaces <c>&lt;out&gt;/&lt;stem&gt;</c> only when everything was written. A failure (or Ctrl+C) leaves the
/// previous results, or nothing, never a half-written set.
/// </summary>
public sealed class OutputFolder : IDisposable
{
    readonly string _final;
    bool _committed;

    public OutputFolder(string outDir, string stem)
    {
        Directory.CreateDirectory(outDir);
        _final = Path.Combine(outDir, stem);
        Staging = Path.Combine(outDir, $".{stem}.partial-{Environment.ProcessId}");
        if (Directory.Exists(Staging)) Directory.Delete(Staging, recursive: true);
        Directory.CreateDirectory(Staging);
    }

    /// <summary>Where files are written until <see cref="Commit"/>.</summary>
    public string Staging { get; }

    /// <summary>The folder the files will be in.</summary>
    public string Final => _final;

    public string File(string name) => Path.Combine(Staging, name);

    /// <summary>Replaces the destination with the staged files.</summary>
    public void Commit()
    {
        if (Directory.Exists(_final)) Directory.Delete(_final, recursive: true);
        Directory.Move(Staging, _final);
        _committed = true;
    }

    public void Dispose()
    {
        if (!_committed && Directory.Exists(Staging)) Directory.Delete(Staging, recursive: true);
    }
}
