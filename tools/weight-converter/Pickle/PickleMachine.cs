using System.Buffers.Binary;
using System.Numerics;
using System.Text;
using static NativeCam.Weights.Pickle.PickleOpcode;

namespace NativeCam.Weights.Pickle;

/// <summary>
/// A pickle virtual machine that only builds data. It interprets the opcode stream of a data.pkl
/// into the plain values of PyValues.cs; every call the stream asks for (REDUCE, NEWOBJ,
/// BUILD) goes through <see cref="SafeCallables"/>, which knows a fixed set of names and turns
/// everything else into inert records or a refusal. Persistent ids (tensor storages) are handed
/// to the caller's loader.
/// </summary>
public sealed class PickleMachine
{
    private readonly byte[] _data;
    private readonly Func<PyTuple, object> _persistentLoad;
    private readonly List<object?> _stack = [];
    private readonly Stack<int> _marks = new();
    private readonly Dictionary<long, object?> _memo = [];
    /// <summary>
    /// Values one pickle may build (every push counts). A real checkpoint's pickle builds some tens per tensor
    /// and module; the cap keeps a hostile 256 MiB pickle of one-byte container opcodes from costing gigabytes.
    /// </summary>
    public const long MaxValues = 1 << 23;

    /// <summary>Memo slots one pickle may fill (MEMOIZE adds a slot per byte without building anything).</summary>
    public const int MaxMemoEntries = 1 << 22;

    private readonly long _workBudget;
    private readonly string _name;
    private long _values;
    private long _work;
    private int _pos;
    private int _opStart;

    private PickleMachine(byte[] data, int start, string name, Func<PyTuple, object> persistentLoad)
    {
        _data = data;
        _pos = start;
        _name = name;
        _persistentLoad = persistentLoad;
        _workBudget = 64L * data.Length + (1 << 20);
    }

    /// <summary>Runs the pickle to its STOP and returns the object it built.</summary>
    /// <param name="data">The pickle bytes (e.g. archive/data.pkl).</param>
    /// <param name="persistentLoad">Resolves a BINPERSID id tuple, e.g. ('storage', torch.HalfStorage, '0', 'cpu', 1728).</param>
    public static object? Run(byte[] data, Func<PyTuple, object> persistentLoad) =>
        Run(data, 0, "data.pkl", persistentLoad, out _);

    /// <summary>
    /// Runs one pickle of a sequence (a legacy torch.save file is several, back to back) from byte
    /// <paramref name="start"/> of <paramref name="data"/> to its STOP; <paramref name="end"/> is the byte after the STOP.
    /// Running out of bytes throws <see cref="PickleTruncatedException"/>, so a caller holding only a window of
    /// a larger file can read more and try again.
    /// </summary>
    /// <param name="name">What errors call the pickle, e.g. "data.pkl".</param>
    public static object? Run(byte[] data, int start, string name, Func<PyTuple, object> persistentLoad, out int end)
    {
        var machine = new PickleMachine(data, start, name, persistentLoad);
        var result = machine.Execute();
        end = machine._pos;
        return result;
    }

    private object? Execute()
    {
        while (true)
        {
            _opStart = _pos;
            byte op = ReadByte();
            switch (op)
            {
                case Proto:
                    if (ReadByte() > 5) throw Error("uses a pickle protocol newer than 5");
                    break;
                case Frame: Read(8); break;
                case Stop: return Pop(); // as Python: the top of the stack is the result
                case Mark: _marks.Push(_stack.Count); break;
                case PopTop: PopValue(); break;
                case PopMark: PopMarked(); break;
                case Dup: Push(Top()); break;

                case None: Push(null); break;
                case NewTrue: Push(true); break;
                case NewFalse: Push(false); break;
                case BinInt: Push((long)BinaryPrimitives.ReadInt32LittleEndian(Read(4))); break;
                case BinInt1: Push((long)ReadByte()); break;
                case BinInt2: Push((long)BinaryPrimitives.ReadUInt16LittleEndian(Read(2))); break;
                case Long1: Push(ReadLong(ReadByte())); break;
                case Long4: Push(ReadLong(ReadLength(4))); break;
                case BinFloat: Push(BinaryPrimitives.ReadDoubleBigEndian(Read(8))); break;

                case ShortBinUnicode or ShortBinString: Push(ReadUtf8(ReadByte())); break;
                case BinUnicode or BinString: Push(ReadUtf8(ReadLength(4))); break;
                case BinUnicode8: Push(ReadUtf8(ReadLength(8))); break;
                case ShortBinBytes: Push(Read(ReadByte()).ToArray()); break;
                case BinBytes: Push(Read(ReadLength(4)).ToArray()); break;
                case BinBytes8: Push(Read(ReadLength(8)).ToArray()); break;

                case EmptyDict: Push(new PyDict()); break;
                case EmptyList: Push(new List<object?>()); break;
                case EmptyTuple: Push(PyTuple.Empty); break;
                case EmptySet: Push(new PySet()); break;
                case TupleFromMark: Push(new PyTuple(PopMarked())); break;
                case Tuple1: Push(new PyTuple(PopN(1))); break;
                case Tuple2: Push(new PyTuple(PopN(2))); break;
                case Tuple3: Push(new PyTuple(PopN(3))); break;
                case ListFromMark: Push(new List<object?>(PopMarked())); break;
                case DictFromMark: Push(FillDict(new PyDict(), PopMarked())); break;
                case FrozenSet: Push(FillSet(new PySet(), PopMarked())); break;

                case Append: { var v = Pop(); TopAs<List<object?>>("APPEND").Add(v); break; }
                case Appends: { var vs = PopMarked(); TopAs<List<object?>>("APPENDS").AddRange(vs); break; }
                case SetItem: { var v = Pop(); var k = Pop(); TopAs<PyDict>("SETITEM").Set(k, v); break; }
                case SetItems: { var kvs = PopMarked(); FillDict(TopAs<PyDict>("SETITEMS"), kvs); break; }
                case AddItems: { var vs = PopMarked(); FillSet(TopAs<PySet>("ADDITEMS"), vs); break; }

                case BinPut: Remember(ReadByte()); break;
                case LongBinPut: Remember(BinaryPrimitives.ReadUInt32LittleEndian(Read(4))); break;
                case Memoize: Remember(_memo.Count); break;
                case BinGet: Push(MemoGet(ReadByte())); break;
                case LongBinGet: Push(MemoGet(BinaryPrimitives.ReadUInt32LittleEndian(Read(4)))); break;

                case Global: Push(new PyGlobal(ReadLine(), ReadLine())); break;
                case StackGlobal:
                {
                    var name = Pop() as string;
                    var module = Pop() as string;
                    if (module is null || name is null) throw Error("STACK_GLOBAL needs two strings");
                    Push(new PyGlobal(module, name));
                    break;
                }
                case Reduce: { var args = Pop(); var callable = Pop(); Charge(args); Push(SafeCallables.Call(callable, args)); break; }
                case NewObj: { var args = Pop(); var type = Pop(); Push(SafeCallables.New(type, args)); break; }
                case NewObjEx: { Pop(); var args = Pop(); var type = Pop(); Push(SafeCallables.New(type, args)); break; }
                case Build: { var state = Pop(); Charge(state); SafeCallables.Build(Top(), state); break; }
                case BinPersId:
                {
                    if (Pop() is not PyTuple pid) throw Error("BINPERSID needs a tuple id");
                    Push(_persistentLoad(pid));
                    break;
                }
                default:
                    throw Error($"uses unknown pickle opcode 0x{op:x2}");
            }
        }
    }

    /// <summary>
    /// Calls and BUILD copy the containers they receive, and the memo lets a small pickle hand the
    /// same big container over and over. The work they do is capped in proportion to the pickle's
    /// size, so a hostile file cannot make the conversion run for hours.
    /// </summary>
    private void Charge(object? argument)
    {
        long size = 1 + argument switch
        {
            PyTuple t => t.Count + t.Items.Sum(i => (long)SizeOf(i)),
            _ => SizeOf(argument),
        };
        _work += size;
        if (_work > _workBudget) throw Error("asks for more copying than a file of its size can need (hostile?)");

        static int SizeOf(object? v) => v switch
        {
            List<object?> l => l.Count,
            PyDict d => d.Count,
            PySet s => s.Items.Count,
            PyTuple t => t.Count,
            _ => 0,
        };
    }

    private WeightFormatException Error(string what) => new($"{_name} {what} (at byte {_opStart})");

    private PickleTruncatedException Truncated(string what, long needed) => new($"{_name} {what} (at byte {_opStart})", needed);

    private byte ReadByte()
    {
        if (_pos >= _data.Length) throw Truncated("ends before its STOP opcode (truncated)", (long)_pos + 1);
        return _data[_pos++];
    }

    private ReadOnlySpan<byte> Read(long count)
    {
        if (count < 0) throw Error("has a negative length");
        if (count > _data.Length - _pos) throw Truncated("ends in the middle of a value (truncated)", _pos + count);
        var span = _data.AsSpan(_pos, (int)count);
        _pos += (int)count;
        return span;
    }

    /// <summary>Reads a length prefix of 4 or 8 bytes; the bounds check happens when the bytes are read.</summary>
    private long ReadLength(int size) => size == 4
        ? BinaryPrimitives.ReadInt32LittleEndian(Read(4))
        : BinaryPrimitives.ReadInt64LittleEndian(Read(8));

    private string ReadUtf8(long count) => Encoding.UTF8.GetString(Read(count));

    private string ReadLine()
    {
        int end = Array.IndexOf(_data, (byte)'\n', _pos);
        if (end < 0) throw Truncated("has a GLOBAL without its newline (truncated)", _data.Length + 1L);
        string line = Encoding.UTF8.GetString(_data, _pos, end - _pos);
        _pos = end + 1;
        return line;
    }

    /// <summary>LONG1/LONG4: little-endian two's complement of any width.</summary>
    private object ReadLong(long count)
    {
        var bytes = Read(count);
        if (bytes.Length <= 8)
        {
            long value = 0;
            for (int i = bytes.Length - 1; i >= 0; i--) value = (value << 8) | bytes[i];
            int unused = 64 - 8 * bytes.Length;
            return bytes.Length == 0 ? 0L : (value << unused) >> unused; // sign-extend
        }
        return new BigInteger(bytes, isUnsigned: false, isBigEndian: false);
    }

    private void Push(object? value)
    {
        if (++_values > MaxValues) throw Error($"builds more than {MaxValues} values (hostile?)");
        _stack.Add(value);
    }

    private void Remember(long slot)
    {
        if (_memo.Count >= MaxMemoEntries && !_memo.ContainsKey(slot)) throw Error($"fills more than {MaxMemoEntries} memo slots (hostile?)");
        _memo[slot] = Top();
    }

    private object? Top()
    {
        if (_stack.Count == 0) throw Error("reads an empty stack");
        return _stack[^1];
    }

    private T TopAs<T>(string op) where T : class =>
        Top() as T ?? throw Error($"applies {op} to a {Describe(Top())}");

    private object? Pop()
    {
        int floor = _marks.Count > 0 ? _marks.Peek() : 0;
        if (_stack.Count <= floor) throw Error("pops an empty stack");
        var v = _stack[^1];
        _stack.RemoveAt(_stack.Count - 1);
        return v;
    }

    private void PopValue()
    {
        if (_marks.Count > 0 && _marks.Peek() == _stack.Count) _marks.Pop(); // POP of a bare MARK
        else Pop();
    }

    private object?[] PopN(int n)
    {
        var items = new object?[n];
        for (int i = n - 1; i >= 0; i--) items[i] = Pop();
        return items;
    }

    private object?[] PopMarked()
    {
        if (_marks.Count == 0) throw Error("needs a MARK that is not there");
        int from = _marks.Pop();
        var items = _stack.GetRange(from, _stack.Count - from).ToArray();
        _stack.RemoveRange(from, _stack.Count - from);
        return items;
    }

    private object? MemoGet(long key) =>
        _memo.TryGetValue(key, out var v) ? v : throw Error($"reads memo slot {key}, which was never written");

    private PyDict FillDict(PyDict dict, object?[] keysAndValues)
    {
        if (keysAndValues.Length % 2 != 0) throw Error("gives a dict an odd number of keys and values");
        for (int i = 0; i < keysAndValues.Length; i += 2) dict.Set(keysAndValues[i], keysAndValues[i + 1]);
        return dict;
    }

    private static PySet FillSet(PySet set, object?[] items)
    {
        set.Items.AddRange(items);
        return set;
    }

    internal static string Describe(object? value) => value switch
    {
        null => "None",
        PyObject o => o.ToString(),
        PyGlobal g => g.FullName,
        _ => value.GetType().Name,
    };
}
