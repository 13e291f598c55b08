using System.Threading.Channels;

namespace Tessera.Server.Hosting;

/// <summary>
/// Reads an asynchronous stream on a thread of its own, a bounded distance ahead of its consumer. At start-up the
/// store's rows are read and parsed while the decision index compiles the ones before them: the two halves of a load
/// run on two cores instead of one after the other.
/// </summary>
internal static class Prefetch
{
    public static IEnumerable<T> Ahead<T>(IAsyncEnumerable<T> source, int capacity, CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<T>(new BoundedChannelOptions(capacity) { SingleReader = true, SingleWriter = true });
        var producer = Task.Run(async () =>
        {
            try
            {
                await foreach (var item in source.WithCancellation(cancellationToken))
                    await channel.Writer.WriteAsync(item, cancellationToken);
                channel.Writer.Complete();
            }
            catch (Exception ex)
            {
                channel.Writer.Complete(ex);
            }
        }, cancellationToken);
        return Consume(channel.Reader, producer, cancellationToken);
    }

    private static IEnumerable<T> Consume<T>(ChannelReader<T> reader, Task producer, CancellationToken cancellationToken)
    {
        while (reader.WaitToReadAsync(cancellationToken).AsTask().GetAwaiter().GetResult())
        {
            while (reader.TryRead(out var item))
                yield return item;
        }
        // Surfaces a failure of the reading side (a store error) to the consumer.
        producer.GetAwaiter().GetResult();
    }
}
