namespace NativeCam.Cli.Output;

/// <summary>
/// Where one run writes before it commits: <c>&lt;out&gt;/.nativecam-staging/run-&lt;pid&gt;-&lt;id&gt;/</c>, owned
/// through the lock file <c>run-&lt;pid&gt;-&lt;id&gt;.lock</c> beside it, held open with an exclusive lock for the
/// run's life. The kernel drops that lock when the process ends, however it ends (Ctrl+C, kill -9, a crash), so
/// the next run into the same <c>--out</c> takes the lock of every dead run and removes what it left. Nothing is
/// created until the first <see cref="NewFolder"/>.
/// </summary>
public sealed class StagingArea : IDisposable
{
    /// <summary>The hidden folder inside <c>--out</c> that holds every run's staging.</summary>
    public const string FolderName = ".nativecam-staging";

    static readonly List<StagingArea> Open = [];

    readonly string _outDir;
    FileStream? _lock;
    string? _lockPath;
    int _next;

    public StagingArea(string outDir)
    {
        _outDir = outDir;
        lock (Open) Open.Add(this);
    }

    /// <summary>The output folder, absolute.</summary>
    public string Root => Path.GetFullPath(_outDir);

    /// <summary>This run's folder, once created.</summary>
    public string? RunFolder { get; private set; }

    /// <summary>A new staging folder that <see cref="OutputFolder.Commit"/> will move to <c>&lt;out&gt;/&lt;name&gt;</c>.</summary>
    public OutputFolder NewFolder(string name)
    {
        if (!OutputName.IsSafe(name)) throw new ArgumentException($"'{name}' is not a safe output folder name");
        string run = RunFolder ?? Start();
        string staging = Path.Join(run, (_next++).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Directory.CreateDirectory(staging);
        string final = Path.Join(Root, name);
        if (Path.GetDirectoryName(final) != Root) throw new InvalidOperationException($"{final} is not inside {Root}");
        return new OutputFolder(staging, final, run);
    }

    /// <summary>
    /// Writes <paramref name="content"/> to the file <c>&lt;out&gt;/&lt;<paramref name="name"/>&gt;</c> whole: it is
    /// written into this run's staging folder, then renamed into place, so the file is never seen half-written and an
    /// interrupted run leaves the earlier one. Something already at that name is replaced only when it is a regular file
    /// that <paramref name="isEarlierResult"/> recognises; otherwise it is left as it was and null is returned.
    /// </summary>
    public string? CommitFile(string name, string content, Func<string, bool> isEarlierResult)
    {
        if (!OutputName.IsSafe(name)) throw new ArgumentException($"'{name}' is not a safe output file name");
        string run = RunFolder ?? Start();
        string final = Path.Join(Root, name);
        if (Path.GetDirectoryName(final) != Root) throw new InvalidOperationException($"{final} is not inside {Root}");
        string staged = Path.Join(run, $"file-{_next++}");
        File.WriteAllText(staged, content);
        Interruption.ThrowIfRequested();
        var existing = new FileInfo(final);
        if (Path.Exists(final) && !(existing.Exists && existing.LinkTarget is null && isEarlierResult(final))) return null;
        File.Move(staged, final, overwrite: true);
        return final;
    }

    string Start()
    {
        if (File.Exists(Root)) throw new CliError($"--out {_outDir} is a file, not a folder");
        string area = Path.Join(Root, FolderName);
        string id = $"run-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}";
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                Directory.CreateDirectory(area);
                Sweep(area);
                // Lock a temporary name, then rename: a *.lock file is never seen unlocked while its run lives.
                string temporary = Path.Join(area, $"tmp-{id}");
                var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);
                _lockPath = Path.Join(area, id + ".lock");
                File.Move(temporary, _lockPath);
                _lock = stream;
                return RunFolder = Directory.CreateDirectory(Path.Join(area, id)).FullName;
            }
            catch (DirectoryNotFoundException) when (attempt < 3)
            {
                // another run removed the empty staging folder between our steps: make it again
            }
        }
    }

    /// <summary>Removes what dead runs left: run folders whose lock can be taken (or has no file), stale temporaries.</summary>
    static void Sweep(string area)
    {
        foreach (var entry in Directory.EnumerateFileSystemEntries(area))
        {
            string name = Path.GetFileName(entry);
            try
            {
                if (name.StartsWith("tmp-", StringComparison.Ordinal) || name.EndsWith(".lock", StringComparison.Ordinal))
                {
                    using (new FileStream(entry, FileMode.Open, FileAccess.ReadWrite, FileShare.None)) { } // throws while held
                    string run = name.EndsWith(".lock", StringComparison.Ordinal) ? entry[..^".lock".Length] : "";
                    if (run.Length > 0 && Directory.Exists(run)) Directory.Delete(run, recursive: true);
                    File.Delete(entry);
                }
                else if (Directory.Exists(entry) && !File.Exists(entry + ".lock"))
                    Directory.Delete(entry, recursive: true); // a live run takes its lock before it makes its folder
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // held by a live run, or removed by another run sweeping at the same time
            }
        }
    }

    /// <summary>Removes this run's staging (anything not committed) and its lock; the staging folder too when empty.</summary>
    public void Dispose()
    {
        lock (Open) Open.Remove(this);
        if (RunFolder is null) return;
        try
        {
            if (Directory.Exists(RunFolder)) Directory.Delete(RunFolder, recursive: true);
            if (_lockPath != null) File.Delete(_lockPath);
            _lock?.Dispose();
            Directory.Delete(Path.GetDirectoryName(RunFolder)!); // only if empty: other runs may be staging
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // not empty (another run), or already gone
        }
        RunFolder = null;
    }

    /// <summary>Disposes every area still open: the last resort of an interrupted run that did not unwind in time.</summary>
    public static void DisposeAll()
    {
        StagingArea[] open;
        lock (Open) open = [.. Open];
        foreach (var area in open) area.Dispose();
    }
}
