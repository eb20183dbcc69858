using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace NativeCam.Tests.Docs;

/// <summary>The ```csharp blocks of a Markdown file, each compiled with Roslyn as a program against the assemblies the
/// tests run with, and run as its own process (its own working directory).</summary>
public static partial class DocExamples
{
    [GeneratedRegex(@"```csharp\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex Block();

    public static IReadOnlyList<string> Blocks(string markdownPath) =>
        Block().Matches(File.ReadAllText(markdownPath).ReplaceLineEndings("\n")).Select(m => m.Groups[1].Value).ToList();

    static readonly Lazy<MetadataReference[]> References = new(() =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Concat(Directory.EnumerateFiles(AppContext.BaseDirectory, "*.dll"))
            .GroupBy(Path.GetFileName).Select(g => g.First())
            .Where(IsManaged).Select(f => (MetadataReference)MetadataReference.CreateFromFile(f)).ToArray());

    static bool IsManaged(string file)
    {
        try { System.Reflection.AssemblyName.GetAssemblyName(file); return true; }
        catch (BadImageFormatException) { return false; }
    }

    /// <summary>Compiles <paramref name="code"/> (top-level statements, implicit usings as in a new console project) to
    /// <c>&lt;name&gt;.dll</c> next to the tests, so it finds the same assemblies; the errors if it does not compile.</summary>
    public static (string? Dll, string Errors) Compile(string name, string code)
    {
        const string implicitUsings = "global using System; global using System.IO; global using System.Linq; " +
            "global using System.Collections.Generic; global using System.Threading.Tasks;";
        var options = new CSharpParseOptions(LanguageVersion.Preview);
        var compilation = CSharpCompilation.Create(name,
            [CSharpSyntaxTree.ParseText(implicitUsings, options), CSharpSyntaxTree.ParseText(code, options)], References.Value,
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable,
                optimizationLevel: OptimizationLevel.Release));
        string dll = Path.Combine(AppContext.BaseDirectory, name + ".dll");
        var emitted = compilation.Emit(dll);
        var problems = emitted.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        if (!emitted.Success || problems.Count > 0) return (null, string.Join("\n", problems));
        // The tests' own runtime configuration: the same framework the assemblies were built for.
        string config = Directory.EnumerateFiles(AppContext.BaseDirectory, "NativeCam.Tests.runtimeconfig.json").Single();
        File.Copy(config, Path.Combine(AppContext.BaseDirectory, name + ".runtimeconfig.json"), overwrite: true);
        return (dll, "");
    }

    /// <summary>Runs a compiled example in <paramref name="workingDirectory"/>: exit code and output.</summary>
    public static (int ExitCode, string Output) Run(string dll, string workingDirectory, TimeSpan timeout)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(dll);
        start.Environment["NATIVECAM_DEVICE"] = "cpu";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Path.GetFileName(dll)} did not finish within {timeout.TotalSeconds} s");
        }
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
