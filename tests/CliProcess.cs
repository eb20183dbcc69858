using System.Diagnostics;

namespace NativeCam.Tests;

/// <summary>What a run of the real `nativecam` CLI produced.</summary>
public sealed record CliResult(int ExitCode, string StdOut, string StdErr)
{
    /// <summary>Stderr split into non-empty lines.</summary>
    public string[] ErrorLines => StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    public override string ToString() => $"exit {ExitCode}\nstdout: {StdOut}\nstderr: {StdErr}";
}

/// <summary>
/// Runs the real CLI as a separate process: `dotnet {test output}/nativecam.dll args...`, the way a
/// user runs it, capturing stdout, stderr and the exit code. Kills it after a timeout.
/// </summary>
public static class CliProcess
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    /// <summary>nativecam.dll, copied next to the tests by the project reference.</summary>
    public static string CliPath => Path.Combine(AppContext.BaseDirectory, "nativecam.dll");

    public static CliResult Run(params string[] args) => RunIn(null, DefaultTimeout, args);

    public static CliResult RunIn(string? workingDirectory, params string[] args) => RunIn(workingDirectory, DefaultTimeout, args);

    public static CliResult RunIn(string? workingDirectory, TimeSpan timeout, params string[] args)
    {
        using var process = Start(workingDirectory, args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"nativecam {string.Join(' ', args)} did not finish within {timeout.TotalSeconds} s");
        }
        process.WaitForExit(); // drains the redirected streams
        return new CliResult(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Starts the CLI and returns at once, its stdout and stderr redirected (to signal or kill it mid-run).</summary>
    public static Process Start(string? workingDirectory, params string[] args)
    {
        if (!File.Exists(CliPath)) throw new FileNotFoundException($"the CLI was not built next to the tests: {CliPath}");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        start.ArgumentList.Add(CliPath);
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["NO_COLOR"] = "1";
        return Process.Start(start) ?? throw new InvalidOperationException("could not start dotnet");
    }
}
