namespace NativeCam.Cli;

/// <summary>The exit codes of `nativecam`, one meaning each, so scripts can tell them apart (docs/cli.md).</summary>
public static class ExitCodes
{
    /// <summary>Everything asked for was done.</summary>
    public const int Ok = 0;

    /// <summary>Some inputs could not be read (each reported on stderr); the others were done.</summary>
    public const int SomeInputsFailed = 1;

    /// <summary>Bad usage or input: an unknown flag or value, a missing, unreadable or unsupported file.</summary>
    public const int BadInput = 2;

    /// <summary>The machine ran out of something: memory, or space on the disk.</summary>
    public const int OutOfResources = 3;

    /// <summary>A bug in NativeCam (sysexits' EX_SOFTWARE): the message asks for a report.</summary>
    public const int Internal = 70;

    /// <summary>Stopped by Ctrl+C (SIGINT; 143 for SIGTERM), staging removed.</summary>
    public const int Interrupted = 130;
}
