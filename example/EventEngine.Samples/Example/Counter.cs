using EventEngine.Actors.Plugins;

namespace EventEngine.Samples.Example;

/// <summary>The original's Counter: answers each of five <see cref="TypeA"/> with a <see cref="TypeB"/> of its character count.</summary>
public sealed class Counter : EventPlugin
{
    private int _seen;

    public Counter()
    {
        Subscribe<TypeA>(a =>
        {
            var count = a.Text.Length;
            Log.Info("Counter received TypeA '{0}', publishing TypeB {1}", a.Text, count);
            Publish(new TypeB(count));
            if (++_seen == MsgProducer.Messages) Finish();
        });
    }
}
