using System.Text;

namespace NativeCam.Cli.Output;

/// <summary>
/// The name of an input's result folder, <c>&lt;out&gt;/&lt;name&gt;</c>. A file name is data, not a path: an image
/// called <c>...jpg</c> has the stem <c>..</c>, which joined to the output folder would name its parent. So the
/// name is always one plain path component: never empty, never <c>.</c> or <c>..</c>, never hidden (a leading
/// dot becomes <c>_</c>, which also keeps it apart from the hidden staging folder), no separators or control
/// characters (each becomes <c>_</c>), and short enough for any file system.
/// </summary>
public static class OutputName
{
    /// <summary>Longest name in UTF-8 bytes: leaves room for the files written inside under a 255-byte limit.</summary>
    public const int MaxBytes = 160;

    /// <summary>The folder name for the input at <paramref name="path"/>: its stem, made safe.</summary>
    public static string ForInput(string path) => Safe(Path.GetFileNameWithoutExtension(path));

    /// <summary><paramref name="text"/> as one safe path component (see the type's summary).</summary>
    public static string Safe(string text) => Safe(text, MaxBytes);

    static string Safe(string text, int maxBytes)
    {
        var name = new StringBuilder(text.Length);
        int bytes = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            var r = Rune.IsControl(rune) || rune.Value is '/' or '\\' || rune == Rune.ReplacementChar ? new Rune('_') : rune;
            if (name.Length == 0 && r.Value == '.') r = new Rune('_');
            if (bytes + r.Utf8SequenceLength > maxBytes) break;
            name.Append(r.ToString());
            bytes += r.Utf8SequenceLength;
        }
        return name.Length == 0 ? "image" : name.ToString();
    }

    /// <summary>True when <paramref name="name"/> is what <see cref="Safe(string)"/> returns for it: one plain component.</summary>
    public static bool IsSafe(string name) => name.Length > 0 && Safe(name) == name;

    /// <summary>
    /// One distinct folder name per input, in order. Inputs whose stems are unique keep them; inputs that share a
    /// stem (<c>a.jpg</c>, <c>a.png</c>) are named by their whole file name (<c>a.jpg</c>, <c>a.png</c>), and any
    /// name still taken (the same file name from two folders) gets <c>-2</c>, <c>-3</c>, ...
    /// </summary>
    public static IReadOnlyList<string> Unique(IReadOnlyList<string> inputs)
    {
        var stems = inputs.Select(ForInput).ToArray();
        var shared = stems.GroupBy(s => s, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
        var taken = stems.Where(s => !shared.Contains(s)).ToHashSet(StringComparer.Ordinal);
        var names = new string[inputs.Count];
        for (int i = 0; i < inputs.Count; i++)
        {
            if (!shared.Contains(stems[i])) { names[i] = stems[i]; continue; }
            string wanted = Safe(Path.GetFileName(inputs[i])), name = wanted;
            for (int n = 2; !taken.Add(name); n++) name = Safe(wanted, MaxBytes - $"-{n}".Length) + $"-{n}";
            names[i] = name;
        }
        return names;
    }
}
