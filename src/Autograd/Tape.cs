using NativeCam.Tensors;

namespace NativeCam.Autograd;

/// <summary>
/// Records a forward pass and replays it backwards. The tape is also the memory arena of the pass:
/// every value an op produces and every gradient belongs to it and is freed when it is disposed, so
/// <c>using var tape = new Tape();</c> around forward and backward leaves the device pool as it was.
/// Only ops with an input that requires a gradient are recorded: a pure inference pass records nothing.
/// Tapes nest; ops use the innermost one on the current thread.
/// </summary>
public sealed class Tape : IDisposable
{
    [ThreadStatic] static Tape? _current;

    readonly Tape? _outer;
    readonly List<Var> _owned = [];
    readonly List<Node> _nodes = [];
    readonly HashSet<string> _watched = new(StringComparer.Ordinal);
    readonly HashSet<Var> _watchedValues = [];
    readonly Dictionary<string, Var> _named = new(StringComparer.Ordinal);
    readonly List<string> _namingOrder = [];
    readonly List<IBackwardOverride> _overrides = [];
    readonly Dictionary<string, Func<Var, Var>> _substitutes = new(StringComparer.Ordinal);
    bool _disposed;

    public Tape()
    {
        _outer = _current;
        _current = this;
    }

    /// <summary>The innermost tape of this thread.</summary>
    public static Tape Current => _current ?? throw new InvalidOperationException(
        "no tape is active: wrap the forward pass in `using var tape = new Tape();`");

    /// <summary>
    /// Replaces the backward rule of the nodes <paramref name="rule"/> claims until the returned scope is disposed
    /// (guided backpropagation is one: src/Cam/GuidedBackprop.cs). Autograd itself knows no such rule: a node
    /// computes its true gradient unless an installed override takes it first. Overrides nest; the newest asks first.
    /// </summary>
    public IDisposable Override(IBackwardOverride rule)
    {
        _overrides.Add(rule);
        return new OverrideScope(this, rule);
    }

    sealed class OverrideScope(Tape tape, IBackwardOverride rule) : IDisposable
    {
        public void Dispose() => tape._overrides.Remove(rule);
    }

    /// <summary>Number of recorded ops (for tests and docs).</summary>
    public int RecordedOps => _nodes.Count;

    /// <summary>
    /// An inference pass (like <c>torch.inference_mode</c>): only the values the caller holds are wanted, so an op
    /// may skip an intermediate that no backward needs — a conv → activation block then writes only the activated
    /// output, not the pre-activation conv output too (its `.bn` name is not registered). Nothing may be watched.
    /// </summary>
    public bool Inference { get; init; }

    /// <summary>
    /// A forward of one image that meets a batch inside it: a value substituted by B variants of itself (Ablation-CAM
    /// runs the network from the ablated layer up only this way). Everything before that value is computed once,
    /// for the one image; after it, where an op joins a batch of B with a batch of one (a skip connection from below
    /// the layer), the batch of one is repeated to B (<see cref="Ops.RepeatBatch"/>). Off by default.
    /// </summary>
    public bool RepeatsBatch { get; set; }

    /// <summary>
    /// A pass whose caller reads only the watched values and their gradients (a CAM): a sweep frees every other
    /// spent gradient, named or not, and an op none of whose inputs requires a gradient may skip an unwatched
    /// intermediate, as on an inference tape (a conv → activation block before the first watched layer writes only
    /// its activated output). By default a named value is kept for hooks to read, with its gradient; with K targets
    /// every kept gradient is K times its activation (YOLOv8n's neck with 17 detections: tens of MB per named block).
    /// </summary>
    public bool WatchedOnly { get; init; }

    /// <summary>Whether <paramref name="name"/> is watched (<see cref="Watch"/>).</summary>
    public bool Watches(string name) => _watched.Contains(name);

    /// <summary>Asks for the activation and gradient of these named values: they will require a
    /// gradient, so backward reaches them even when nothing upstream of them does.</summary>
    public void Watch(params string[] names)
    {
        if (Inference) throw new InvalidOperationException("an inference tape computes no gradients: watch names on a normal tape");
        foreach (var n in names) _watched.Add(n);
    }

    /// <summary>Bytes of the values this tape holds (not their gradients): what one forward pass costs in memory,
    /// used to size batches of perturbed forwards (Score-CAM, Ablation-CAM).</summary>
    public long ValueBytes => _owned.Sum(v => (long)v.Value.Length * sizeof(float));

    /// <summary>Values named during this pass, by name.</summary>
    public IReadOnlyDictionary<string, Var> Named => _named;

    /// <summary>Names in the order the forward pass produced them (aliases of one value are adjacent).</summary>
    public IReadOnlyList<string> NamingOrder => _namingOrder;

    /// <summary>The value named <paramref name="name"/>, or null.</summary>
    public Var? Find(string name) => _named.GetValueOrDefault(name);

    /// <summary>
    /// Replaces the value named <paramref name="name"/>, the next time the forward pass names it, by what
    /// <paramref name="substitute"/> returns for it; the layers above then compute on the replacement (models pass on
    /// what <see cref="Var.Named"/> returns). Ablation-CAM's ablated activations enter the network this way.
    /// </summary>
    public void Substitute(string name, Func<Var, Var> substitute) => _substitutes[name] = substitute;

    /// <summary>
    /// Until the returned scope is disposed, every name given to a value gets <paramref name="prefix"/> in front
    /// (a reused module's names under its owner's path: a detector's ResNet body names <c>layer4</c>, the tape
    /// <c>backbone.body.layer4</c>). Scopes nest.
    /// </summary>
    public IDisposable NamePrefix(string prefix)
    {
        var outer = _prefix;
        _prefix = outer + prefix;
        return new PrefixScope(this, outer);
    }

    string _prefix = "";

    sealed class PrefixScope(Tape tape, string outer) : IDisposable
    {
        public void Dispose() => tape._prefix = outer;
    }

    internal Var Name(Var v, string name)
    {
        name = _prefix + name;
        if (_substitutes.Remove(name, out var substitute)) v = substitute(v);
        v.Name ??= name; // a value may carry several names (a block's output is also its last conv's `.act`)
        if (_named.TryAdd(name, v)) _namingOrder.Add(name);
        else _named[name] = v;
        if (_watched.Contains(name))
        {
            v.RequiresGrad = true;
            _watchedValues.Add(v);
        }
        return v;
    }

    /// <summary>Registers the output of an op none of whose inputs requires a gradient: owned, no node.</summary>
    public Var Untracked(Tensor value)
    {
        var v = new Var(value, requiresGrad: false, isParameter: false);
        _owned.Add(v);
        return v;
    }

    /// <summary>
    /// Registers an op's output. If any input requires a gradient, the node built by
    /// <paramref name="node"/> is recorded and the output requires a gradient too.
    /// </summary>
    public Var Record(Tensor value, Func<Node> node, params Var[] inputs)
    {
        bool requires = false;
        foreach (var x in inputs) requires |= x.RequiresGrad;
        var v = new Var(value, requires, isParameter: false);
        _owned.Add(v);
        if (requires)
        {
            var n = node();
            n.Output = v;
            v.Creator = n;
            _nodes.Add(n);
        }
        return v;
    }

    /// <summary>
    /// Reverse-mode sweep from <paramref name="output"/>. <paramref name="grad"/> has the output's
    /// shape (one target) or [K, ..shape] (K targets at once: K vector-Jacobian products in one sweep).
    /// Gradients of earlier sweeps are cleared first, except those of parameters, which accumulate.
    /// </summary>
    public void Backward(Var output, Tensor grad) => Backward([(output, grad)]);

    /// <summary>
    /// One sweep seeded at several outputs at once (a detector's three output levels): each seed has
    /// its output's shape or [K, ..shape], with the same K for all. Unseeded outputs contribute nothing.
    /// The five steps of docs/autograd.md, "The backward sweep".
    /// </summary>
    public void Backward(IReadOnlyList<(Var Output, Tensor Grad)> seeds)
    {
        int k = TargetsOf(seeds);
        ClearEarlierGradients();                       // 1. a new sweep starts from zero (parameters accumulate)
        var seeded = Seed(seeds, k);                   // 2. output.Grad = seed, as [K, ..output.Shape]
        for (int i = _nodes.Count - 1; i >= 0; i--)   // 3. reverse recording order is a topological order
        {
            var node = _nodes[i];
            if (node.Output.Grad is not { } gy) continue; // nothing reached this node
            RunBackwardRule(node, gy);                 // 4. the rule hands each input its share (AddGrad)
            FreeSpentGradient(node, seeded);           // 5. every consumer has run: drop gy unless it is named
        }
    }

    /// <summary>K, the number of targets the seeds carry (the same for every seed).</summary>
    static int TargetsOf(IReadOnlyList<(Var Output, Tensor Grad)> seeds)
    {
        int k = -1;
        foreach (var (output, grad) in seeds)
        {
            int n = output.Value.Length;
            if (n == 0 || grad.Length % n != 0)
                throw new ArgumentException($"gradient {Tensor.Format(grad.Shape)} does not match output {Tensor.Format(output.Shape)}");
            if (k >= 0 && grad.Length / n != k)
                throw new ArgumentException("all seeds of one backward sweep must carry the same number of targets");
            k = grad.Length / n;
        }
        if (!seeds.Any(s => s.Output.RequiresGrad))
            throw new InvalidOperationException("backward from a value that does not require a gradient: watch a layer or mark an input first");
        return k;
    }

    /// <summary>Step 1: drops the gradients of an earlier sweep, of every value and leaf input but parameters.</summary>
    void ClearEarlierGradients()
    {
        foreach (var v in _owned) v.ZeroGrad();
        foreach (var node in _nodes)
            foreach (var x in node.Inputs)
                if (!x.IsParameter && x.Creator is null) x.ZeroGrad();
    }

    /// <summary>Step 2: each seeded output's gradient is (a copy of) its seed. Returns the seeded outputs.</summary>
    HashSet<Var> Seed(IReadOnlyList<(Var Output, Tensor Grad)> seeds, int k)
    {
        var seeded = new HashSet<Var>();
        foreach (var (output, grad) in seeds)
        {
            if (!output.RequiresGrad) continue;
            seeded.Add(output);
            using var view = grad.Reshape([k, .. output.Shape]);
            AddGrad(output, view.Clone());
        }
        return seeded;
    }

    /// <summary>Step 4: the node's own rule, unless an installed override (<see cref="Override"/>) claims the node.</summary>
    void RunBackwardRule(Node node, Tensor gy)
    {
        for (int i = _overrides.Count - 1; i >= 0; i--)
            if (_overrides[i].TryBackward(node, gy, this)) return;
        node.Backward(gy, this);
    }

    /// <summary>
    /// Step 5: a node runs after every consumer of its output, so its output gradient is complete and now spent:
    /// freed at once (peak memory is the live frontier, not the whole graph), unless hooks read it (a named value)
    /// or the caller passed it in (a seed). With <see cref="WatchedOnly"/> only watched values count as read.
    /// </summary>
    void FreeSpentGradient(Node node, HashSet<Var> seeded)
    {
        var v = node.Output;
        bool read = WatchedOnly ? _watchedValues.Contains(v) : v.Name is not null;
        if (!read && !seeded.Contains(v)) v.ZeroGrad();
    }

    /// <summary>Adds <paramref name="g"/> ([K, ..x.Shape]) to x's gradient and takes ownership of it.
    /// Parameters fold the K targets into one gradient of x's own shape.</summary>
    public void AddGrad(Var x, Tensor g)
    {
        if (!x.RequiresGrad) { g.Dispose(); return; }
        if (x.IsParameter && g.Length != x.Value.Length)
        {
            var folded = Tensor.Empty(x.Device, x.Shape);
            x.Device.Backend.SumLeading(g, folded);
            g.Dispose();
            g = folded;
        }
        else if (x.IsParameter)
        {
            var reshaped = g.Reshape(x.Shape);
            g.Dispose();
            g = reshaped;
        }
        if (x.Grad is null) { x.Grad = g; return; }
        x.Device.Backend.Accumulate(g, x.Grad);
        g.Dispose();
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        // Leaf inputs the caller owns lose their gradient here too: it lives in this tape's arena.
        foreach (var node in _nodes)
            foreach (var x in node.Inputs)
                if (!x.IsParameter) x.ZeroGrad();
        foreach (var v in _owned)
        {
            v.ZeroGrad();
            v.Value.Dispose();
        }
        _owned.Clear();
        _nodes.Clear();
        _named.Clear();
        _watchedValues.Clear();
        _namingOrder.Clear();
        if (_current == this) _current = _outer;
    }
}
