namespace NativeCam.Weights;

/// <summary>
/// A file written under a temporary name in the destination folder and renamed into place by
/// <see cref="Commit"/>. Disposing without committing deletes the temporary file, so a failure
/// never leaves a partial output behind — nor does a process that ends through <see cref="Environment.Exit"/> (as an
/// interrupted CLI run does) before either: the temporary file is also deleted on process exit.
/// </summary>
public sealed class AtomicFile : IDisposable
{
    private readonly string _temporary;
    private readonly string _destination;
    private bool _committed;

    public AtomicFile(string destination)
    {
        _destination = Path.GetFullPath(destination);
        string folder = Path.GetDirectoryName(_destination)!;
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"output folder does not exist: {folder}");
        _temporary = Path.Combine(folder, $".{Path.GetFileName(_destination)}.{Guid.NewGuid():N}.tmp");
        Stream = new FileStream(_temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16);
        AppDomain.CurrentDomain.ProcessExit += DeleteOnExit;
    }

    void DeleteOnExit(object? sender, EventArgs e) => File.Delete(_temporary);

    public FileStream Stream { get; }

    public void Commit()
    {
        AppDomain.CurrentDomain.ProcessExit -= DeleteOnExit;
        Stream.Flush();
        Stream.Dispose();
        File.Move(_temporary, _destination, overwrite: true);
        _committed = true;
    }

    public void Dispose()
    {
        if (_committed) return;
        AppDomain.CurrentDomain.ProcessExit -= DeleteOnExit;
        try
        {
            Stream.Dispose(); // on a full disk this throws (the buffered tail cannot be written) ...
        }
        catch (IOException)
        {
            // ... and is no reason to keep the partial file
        }
        finally
        {
            File.Delete(_temporary);
        }
    }
}
