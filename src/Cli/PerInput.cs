namespace NativeCam.Cli;

/// <summary>
/// The loop every command over several images runs: each input in order, a stop asked for (Ctrl+C) honoured between
/// inputs, and an input that cannot be read (a <see cref="CliError"/> with exit code 1) reported on one line and
/// skipped while the others go on. Any other error ends the run.
/// </summary>
public static class PerInput
{
    /// <summary>Runs <paramref name="body"/> for inputs 0 … <paramref name="count"/> − 1; returns how many were skipped.
    /// <paramref name="progress"/>'s status line is cleared before an error line is printed.</summary>
    public static int Each(int count, Action<int> body, FolderProgress? progress = null)
    {
        int failures = 0;
        for (int i = 0; i < count; i++)
        {
            Interruption.ThrowIfRequested();
            try { body(i); }
            catch (CliError e) when (e.ExitCode == ExitCodes.SomeInputsFailed)
            {
                failures++;
                progress?.Clear();
                Console.Error.WriteLine($"error: {e.Message}");
            }
        }
        return failures;
    }

    /// <summary>The command's exit code after <paramref name="failures"/> skipped inputs.</summary>
    public static int ExitCode(int failures) => failures > 0 ? ExitCodes.SomeInputsFailed : ExitCodes.Ok;
}
