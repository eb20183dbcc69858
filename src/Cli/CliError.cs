namespace NativeCam.Cli;

/// <summary>An error the user caused or can fix: printed as one line `error: ...`, never a stack trace.</summary>
public sealed class CliError(string message, int exitCode = 2) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
