using System.Globalization;
using MessagePack;

namespace NativeCam.Weights.Format;

/// <summary>Writes and reads the plain values of the config map (see PlainValues) as MessagePack.</summary>
internal static class PlainValueCodec
{
    public static void Write(ref MessagePackWriter w, object? value)
    {
        switch (value)
        {
            case null: w.WriteNil(); break;
            case bool b: w.Write(b); break;
            case long l: w.Write(l); break;
            case int i: w.Write(i); break;
            case double d: w.Write(d); break;
            case string s: w.Write(s); break;
            case IReadOnlyDictionary<string, object?> map:
                w.WriteMapHeader(map.Count);
                foreach (var (k, v) in map)
                {
                    w.Write(k);
                    Write(ref w, v);
                }
                break;
            case IReadOnlyList<object?> list:
                w.WriteArrayHeader(list.Count);
                foreach (var v in list) Write(ref w, v);
                break;
            default: w.Write(Convert.ToString(value, CultureInfo.InvariantCulture)); break;
        }
    }

    public static object? Read(ref MessagePackReader r, int depth = 0)
    {
        if (depth > 64) throw new WeightFormatException("metadata nested too deep");
        switch (r.NextMessagePackType)
        {
            case MessagePackType.Nil: r.ReadNil(); return null;
            case MessagePackType.Boolean: return r.ReadBoolean();
            case MessagePackType.Integer: return r.ReadInt64();
            case MessagePackType.Float: return r.ReadDouble();
            case MessagePackType.String: return r.ReadString();
            case MessagePackType.Array:
            {
                int n = r.ReadArrayHeader();
                var list = new List<object?>(n);
                for (int i = 0; i < n; i++) list.Add(Read(ref r, depth + 1));
                return list;
            }
            case MessagePackType.Map:
            {
                int n = r.ReadMapHeader();
                var map = new Dictionary<string, object?>(n);
                for (int i = 0; i < n; i++)
                {
                    string key = r.ReadString() ?? "";
                    map[key] = Read(ref r, depth + 1);
                }
                return map;
            }
            default: r.Skip(); return null;
        }
    }
}
