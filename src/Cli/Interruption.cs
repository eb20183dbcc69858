using System.Runtime.InteropServices;
using NativeCam.Cli.Output;

namespace NativeCam.Cli;

/// <summary>
/// Ctrl+C (SIGINT) and SIGTERM: the run stops at its next checkpoint (<see cref="ThrowIfRequested"/>, between
/// stages and images), unwinds — removing its staging — and exits 130 (SIGINT) or 143 (SIGTERM). If it has not
/// stopped two seconds later, or on a second signal, its staging is removed here and the process exits at once.
/// </summary>
public static class Interruption
{
    static readonly CancellationTokenSource Source = new();
    static readonly List<PosixSignalRegistration> Registrations = [];
    static int _signals;

    /// <summary>The exit code of the signal received: 130 for SIGINT, 143 for SIGTERM; 0 while none.</summary>
    public static int ExitCode { get; private set; }

    /// <summary>Takes over SIGINT and SIGTERM for the life of the process.</summary>
    public static void Install()
    {
        Registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGINT, c => Handle(c, 130)));
        Registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => Handle(c, 143)));
    }

    /// <summary>Throws <see cref="OperationCanceledException"/> once a stop was asked for.</summary>
    public static void ThrowIfRequested() => Source.Token.ThrowIfCancellationRequested();

    static void Handle(PosixSignalContext context, int exitCode)
    {
        context.Cancel = true; // the runtime's default would end the process without unwinding
        if (Interlocked.Increment(ref _signals) > 1) Exit(exitCode);
        ExitCode = exitCode;
        Source.Cancel();
        _ = Task.Delay(TimeSpan.FromSeconds(2)).ContinueWith(_ => Exit(exitCode), TaskScheduler.Default);
    }

    static void Exit(int exitCode)
    {
        StagingArea.DisposeAll();
        Console.Error.WriteLine("error: interrupted");
        Environment.Exit(exitCode);
    }
}
