namespace NativeCam.Cli.Output;

/// <summary>
/// One input's result folder, written atomically: files go to a staging folder (<see cref="StagingArea"/>), which
/// replaces <c>&lt;out&gt;/&lt;name&gt;</c> by a rename only when everything was written. A failure or Ctrl+C
/// leaves the previous results, or nothing, never a half-written set. Commit replaces only an earlier result (a
/// folder with a report.json, or an empty one), and only inside the output folder: anything else there is an error.
/// </summary>
public sealed class OutputFolder
{
    readonly string _staging, _runFolder;

    internal OutputFolder(string staging, string final, string runFolder)
    {
        _staging = staging;
        _runFolder = runFolder;
        Final = final;
    }

    /// <summary>The folder the files will be in after <see cref="Commit"/>.</summary>
    public string Final { get; }

    /// <summary>Where to write the file <paramref name="name"/> until <see cref="Commit"/>.</summary>
    public string File(string name) => Path.Join(_staging, name);

    /// <summary>Moves the staged files to <see cref="Final"/>, replacing an earlier result there.</summary>
    public void Commit()
    {
        Interruption.ThrowIfRequested();
        // Two runs into one --out may commit the same name at once: each move is whole, the last one stays.
        for (int attempt = 0; ; attempt++)
        {
            string? old;
            try
            {
                old = MoveAside();
                Directory.Move(_staging, Final);
            }
            catch (IOException) when (attempt < 5)
            {
                // another run committed (or moved the earlier result) between our steps: look again
                continue;
            }
            try { if (old != null) Directory.Delete(old, recursive: true); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { } // else removed with the run's folder
            return;
        }
    }

    /// <summary>Moves an earlier result out of the way, into this run's staging folder; null when there is none.</summary>
    string? MoveAside()
    {
        // A concurrent run may move the folder away and commit its own between our checks (each of its steps is one
        // rename): a folder counts as foreign only when two looks in a row say so.
        for (int look = 0; ; look++)
        {
            if (!Path.Exists(Final)) return null;
            if (IsEarlierResult()) break;
            if (look == 1) throw new CliError($"{Final} exists and is not an earlier NativeCam result: move it away or choose another --out");
        }
        string old = Path.Join(_runFolder, $"replaced-{Guid.NewGuid().ToString("N")[..8]}");
        Directory.Move(Final, old);
        return old;
    }

    // An earlier result: a real folder (not a link) holding report.json, or an empty one. A folder that vanishes while
    // we look was moved by a concurrent run: not foreign.
    bool IsEarlierResult()
    {
        try
        {
            var info = new DirectoryInfo(Final);
            return !Path.Exists(Final) || info.Exists && info.LinkTarget is null
                && (System.IO.File.Exists(Path.Join(Final, "report.json")) || !info.EnumerateFileSystemInfos().Any());
        }
        catch (DirectoryNotFoundException) { return true; }
    }
}
