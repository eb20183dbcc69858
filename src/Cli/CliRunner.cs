using System.CommandLine;

namespace NativeCam.Cli;

/// <summary>
/// Parses and invokes the command tree; turns every failure into one line on stderr and its own exit code
/// (<see cref="ExitCodes"/>): a user's mistake, a full disk, an interruption and a bug never look alike.
/// </summary>
public static class CliRunner
{
    public static int Run(RootCommand root, string[] args)
    {
        ParseResult parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            Console.Error.WriteLine($"error: {string.Join("; ", parsed.Errors.Select(e => OneLine(e.Message)).Distinct())}");
            return ExitCodes.BadInput;
        }
        Interruption.Install();
        try
        {
            return parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null });
        }
        catch (Exception e)
        {
            var (code, message) = Classify(e);
            Console.Error.WriteLine($"error: {message}");
            return code;
        }
    }

    /// <summary>The exit code and one-line message for an exception that ended a command.</summary>
    public static (int Code, string Message) Classify(Exception e) => e switch
    {
        CliError c => (c.ExitCode, OneLine(c.Message)),
        OperationCanceledException => (Interruption.ExitCode is > 0 and var s ? s : ExitCodes.Interrupted, "interrupted"),
        OutOfMemoryException or InsufficientExecutionStackException =>
            (ExitCodes.OutOfResources, "out of memory (a smaller --img-size or image, or a machine with more memory, may do)"),
        IOException io when DiskFull(io) => (ExitCodes.OutOfResources, $"no space left on the disk ({OneLine(io.Message)})"),
        IOException or UnauthorizedAccessException or InvalidDataException or NotSupportedException => (ExitCodes.BadInput, OneLine(e.Message)),
        _ => (ExitCodes.Internal, $"internal error ({e.GetType().Name}: {OneLine(e.Message)}) — a bug in NativeCam; " +
            "please report it with the command that caused it"),
    };

    /// <summary>True for "no space left on the device": ENOSPC (28) as .NET reports it on Unix, or Windows'
    /// ERROR_DISK_FULL (112) / ERROR_HANDLE_DISK_FULL (39).</summary>
    public static bool DiskFull(IOException e) => (e.HResult & 0xFFFF) is 28 or 39 or 112 || e.Message.Contains("No space left", StringComparison.Ordinal);

    static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();
}
