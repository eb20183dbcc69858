using System.Reflection;
using Xunit.Abstractions;
using Xunit.Sdk;

// Runs NativeCam's xunit tests in this process with xunit's own v2 engine (the discoverer and executor of
// xunit.execution, the same code `dotnet test` drives through the VSTest adapter), so that a self-contained publish
// of this project is the whole test suite on a machine without a .NET SDK (scripts/gpu-run.sh).
//   nativecam-tests [--filter TEXT]... [--list]
// --filter keeps the tests whose class or display name contains TEXT (any of them). Prints every failure and
// ends with "N passed, N failed, N skipped" (the line .ci/run prints); exit code 1 if anything failed or nothing ran.
var filters = new List<string>();
bool list = false;
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--filter" && i + 1 < args.Length) filters.Add(args[++i]);
    else if (args[i] == "--list") list = true;
    else
    {
        Console.Error.WriteLine($"usage: nativecam-tests [--filter TEXT]... [--list] (unknown argument '{args[i]}')");
        return 2;
    }
}

var assembly = Assembly.Load("NativeCam.Tests");
var options = new Options();
using var framework = new XunitTestFramework(new Sink());

var discovery = new Sink();
using (var discoverer = framework.GetDiscoverer(Reflector.Wrap(assembly)))
{
    discoverer.Find(includeSourceInformation: false, discovery, options);
    discovery.Finished.WaitOne();
}
var cases = discovery.TestCases
    .Where(c => filters.Count == 0 || filters.Any(f => c.DisplayName.Contains(f, StringComparison.OrdinalIgnoreCase)
        || c.TestMethod.TestClass.Class.Name.Contains(f, StringComparison.OrdinalIgnoreCase)))
    .ToList();
if (list)
{
    foreach (var c in cases) Console.WriteLine(c.DisplayName);
    return 0;
}
Console.WriteLine($"{cases.Count} test cases in {assembly.GetName().Name} (NATIVECAM_DEVICE={Environment.GetEnvironmentVariable("NATIVECAM_DEVICE") ?? "unset"})");

var run = new Sink();
using (var executor = framework.GetExecutor(assembly.GetName()))
{
    executor.RunTests(cases, run, options);
    run.Finished.WaitOne();
}
Console.WriteLine($"{run.Passed} passed, {run.Failed} failed, {run.Skipped} skipped");
return run.Failed == 0 && run.Passed > 0 ? 0 : 1;

/// <summary>Collects discovered test cases and counts results, printing failures as they come.</summary>
sealed class Sink : Xunit.LongLivedMarshalByRefObject, IMessageSink
{
    public readonly List<ITestCase> TestCases = [];
    public readonly ManualResetEvent Finished = new(false);
    public int Passed, Failed, Skipped;

    public bool OnMessage(IMessageSinkMessage message)
    {
        switch (message)
        {
            case ITestCaseDiscoveryMessage d:
                TestCases.Add(d.TestCase);
                break;
            case IDiscoveryCompleteMessage or ITestAssemblyFinished:
                Finished.Set();
                break;
            case ITestPassed:
                if (++Passed % 100 == 0) Console.WriteLine($"  ... {Passed} passed");
                break;
            case ITestSkipped s:
                Skipped++;
                Console.WriteLine($"SKIP {s.Test.DisplayName}: {s.Reason}");
                break;
            case ITestFailed f:
                Failed++;
                Report($"FAIL {f.Test.DisplayName}", f);
                break;
            case IFailureInformation e: // errors outside a test: class or collection cleanup, catastrophic errors
                Failed++;
                Report($"ERROR ({message.GetType().Name})", e);
                break;
        }
        return true;
    }

    static void Report(string title, IFailureInformation failure)
    {
        Console.WriteLine(title);
        for (int i = 0; i < failure.ExceptionTypes.Length; i++)
        {
            Console.WriteLine($"  {failure.ExceptionTypes[i]}: {failure.Messages[i]}");
            if (failure.StackTraces[i] is { } trace) Console.WriteLine("    " + trace.Replace("\n", "\n    "));
        }
    }
}

/// <summary>Discovery and execution options: xunit's defaults for everything (the test assembly's own attributes apply).</summary>
sealed class Options : Xunit.LongLivedMarshalByRefObject, ITestFrameworkDiscoveryOptions, ITestFrameworkExecutionOptions
{
    readonly Dictionary<string, object?> _values = [];
    public TValue GetValue<TValue>(string name) => _values.TryGetValue(name, out var v) && v is TValue t ? t : default!;
    public void SetValue<TValue>(string name, TValue value) => _values[name] = value;
}
