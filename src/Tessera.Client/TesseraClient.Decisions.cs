using System.Runtime.CompilerServices;
using System.Text.Json;
using Tessera.Client.Models;

namespace Tessera.Client;

// The AuthZEN 1.0 decision API: evaluations and searches.
public sealed partial class TesseraClient
{
    /// <summary>One decision. A deny is an answer, not an error: <see cref="Decision.Value"/> is false.</summary>
    public Task<Decision> EvaluateAsync(EvaluationRequest request, CancellationToken cancellationToken = default) =>
        PostAsync("access/v1/evaluation", request, ClientJsonContext.Default.EvaluationRequest, ClientJsonContext.Default.Decision, cancellationToken);

    /// <summary>Many decisions in one request, in the order asked.</summary>
    public Task<Evaluations> EvaluateManyAsync(EvaluationsRequest request, CancellationToken cancellationToken = default) =>
        PostAsync("access/v1/evaluations", request, ClientJsonContext.Default.EvaluationsRequest, ClientJsonContext.Default.Evaluations, cancellationToken);

    /// <summary>Who may do the action on the resource: the subjects, every page.</summary>
    public IAsyncEnumerable<JsonElement> SearchSubjectsAsync(SearchRequest request, CancellationToken cancellationToken = default) =>
        SearchAsync("access/v1/search/subject", request, cancellationToken);

    /// <summary>On what the subject may do the action: the resources, every page.</summary>
    public IAsyncEnumerable<JsonElement> SearchResourcesAsync(SearchRequest request, CancellationToken cancellationToken = default) =>
        SearchAsync("access/v1/search/resource", request, cancellationToken);

    /// <summary>What the subject may do on the resource: the actions, every page.</summary>
    public IAsyncEnumerable<JsonElement> SearchActionsAsync(SearchRequest request, CancellationToken cancellationToken = default) =>
        SearchAsync("access/v1/search/action", request, cancellationToken);

    private async IAsyncEnumerable<JsonElement> SearchAsync(string path, SearchRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var next = request;
        while (true)
        {
            var page = await PostAsync(path, next, ClientJsonContext.Default.SearchRequest, ClientJsonContext.Default.SearchPage, cancellationToken);
            foreach (var result in page.Results)
                yield return result;
            if (page.Page?.NextToken is not { Length: > 0 } token)
                yield break;
            next = next with { Page = new SearchPageRequest(token, request.Page?.Limit) };
        }
    }
}
