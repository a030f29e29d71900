using EventEngine.Actors.Plugins;

namespace EventEngine.Samples.Example;

/// <summary>
/// The original's MsgProducer: publishes five <see cref="TypeA"/> events, then reads five <see cref="TypeB"/>
/// and one <see cref="TypeC"/>, then finishes.
/// </summary>
public sealed class MsgProducer : EventPlugin
{
    public const int Messages = 5;
    private int _typeB;
    private int _typeC;

    public MsgProducer()
    {
        Subscribe<TypeB>(b =>
        {
            _typeB++;
            Log.Info("MsgProducer received TypeB {0} ({1} of {2})", b.Count, _typeB, Messages);
            FinishWhenDone();
        });
        Subscribe<TypeC>(c =>
        {
            _typeC++;
            Log.Info("MsgProducer received TypeC '{0}'", c.Text);
            FinishWhenDone();
        });
    }

    protected override void OnStart()
    {
        for (var i = 0; i < Messages; i++)
        {
            var text = $"This is message {i}";
            Log.Info("MsgProducer publishing TypeA '{0}'", text);
            Publish(new TypeA(text));
        }
    }

    private void FinishWhenDone()
    {
        if (_typeB < Messages || _typeC < 1) return;
        Log.Info("MsgProducer done: {0} TypeB and {1} TypeC received", _typeB, _typeC);
        Finish();
    }
}
