"""Positions for big pages, and a figure for how well they spread.

Above :data:`kg.render.LAYOUT_THRESHOLD` nodes the page draws with physics off, at positions
computed here. :func:`spread_layout` is a ForceAtlas2-style force layout (Jacomy et al. 2014:
linear springs on edges, repulsion ``m_i m_j / d`` with ``m = degree + 1``, adaptive speed) with
*strong* gravity, under which a component settles into an evenly filled disc rather than a dense
core with a sparse halo. Repulsion between all pairs is computed on a grid (particle-mesh: the
masses are spread over the cells, convolved with the ``-log r`` potential by FFT, and the
potential's gradient is read back at each node), so one iteration costs O(n + e + cells log cells)
instead of the O(n²) of :func:`networkx.forceatlas2_layout`. It starts from a pivot-MDS
position (breadth-first distances from a few dozen pivots) and stops when its time budget is
spent. :func:`spectral_layout` is the layout it replaced, kept for comparison, and
:func:`crowding` is the figure that tells them apart.

>>> import networkx as nx
>>> graph = nx.relabel_nodes(nx.barabasi_albert_graph(1200, 2, seed=1), str)
>>> crowding(spread_layout(graph, seconds=2.0)) < 0.10 < crowding(spectral_layout(graph))
True
"""

from __future__ import annotations

import math
import time
from collections.abc import Hashable, Mapping

import networkx as nx

__all__ = ["spread_layout", "spectral_layout", "crowding", "SPACING"]

#: Page units of area per node, as a square's side: a component of n nodes gets SPACING² · n.
SPACING = 60.0
#: Force iterations per component when the time budget allows (the spread settles by ~150).
ITERATIONS = 300
#: Nodes closer than this many page units are pushed apart at the end (a dot is 28 units across).
MIN_DISTANCE = 32.0
#: Components up to this size get exact pairwise repulsion; larger ones the grid.
_EXACT_UP_TO = 100
#: The share of the time budget planned for force iterations (the rest: start, spacing, packing).
_PLANNED = 0.7
#: Pivots for the initial position (pivot MDS).
_PIVOTS = 50
#: ForceAtlas2's constants: repulsion (scaling ratio) and strong gravity.
_REPULSION = 2.0
_GRAVITY = 1.0
#: The most a node moves in one iteration, as a share of the disc's radius.
_STEP = 0.03
#: The crowding grid: a window of 10×10 of 71×71 cells is (10/71)² ≈ 1.98 % of the box.
_CROWDING_CELLS = 71
_CROWDING_WINDOW = 10


def spread_layout(graph: nx.Graph, *, seconds: float = 5.0, seed: int = 7) -> dict[str, tuple[float, float]]:
    """Positions in page units for a big graph, spread so that no region holds most of it.

    Each connected component of more than three nodes gets a force layout (see the module
    docstring), scaled to ``SPACING²`` units of area per node, with nodes closer than
    ``MIN_DISTANCE`` pushed apart; smaller ones are circles. Components are packed in rows,
    largest first, in rows about ``SPACING · √n`` wide. Direction and parallel edges are ignored.

    ``seconds`` bounds the force iterations: each component is given a number of iterations
    (at most ``ITERATIONS``) from its share of the budget and a fixed cost model, so the result
    is the same on every run for a given ``seed`` and graph, whatever the order nodes and edges
    were added in; a clock check stops a component early only on a machine much slower than the
    model (then the result may vary between runs). Reading the graph, the first positions and
    the spacing come on top, about 1 s per 50,000 nodes. 20,000 nodes and 60,000 edges take
    about 3 s in all on two cores.

    >>> import networkx as nx
    >>> positions = spread_layout(nx.path_graph(["a", "b", "c", "d", "e"]))
    >>> sorted(positions) == ["a", "b", "c", "d", "e"]
    True
    >>> positions == spread_layout(nx.path_graph(["a", "b", "c", "d", "e"]))
    True
    """
    import numpy as np
    import scipy.sparse as sp
    from scipy.sparse.csgraph import connected_components

    if seconds < 0:
        raise ValueError(f"seconds must not be negative, not {seconds}")
    start = time.perf_counter()
    nodes = sorted(graph.nodes, key=_order)
    index = {node: i for i, node in enumerate(nodes)}
    ends = np.array([(index[s], index[o]) for s, o in graph.edges() if s != o], dtype=np.intp).reshape(-1, 2)
    n = len(nodes)
    rows, cols = np.concatenate([ends[:, 0], ends[:, 1]]), np.concatenate([ends[:, 1], ends[:, 0]])
    adjacency = sp.csr_array((np.ones(len(rows)), (rows, cols)), shape=(n, n))
    adjacency.data[:] = 1.0  # parallel edges (summed when built) count once
    _, labels = connected_components(adjacency, directed=False)
    members = np.split(np.argsort(labels, kind="stable"), np.cumsum(np.bincount(labels))[:-1]) if n else []
    components = sorted(members, key=lambda c: (-len(c), c[0]))
    big = sum(len(c) for c in components if len(c) > 3)
    done = 0
    blocks = []
    for number, component in enumerate(components):
        if len(component) <= 3:
            coords = _small(len(component))
        else:
            sub = adjacency[component][:, component]
            cost = _iteration_cost(len(component), sub.nnz // 2)
            iterations = min(ITERATIONS, int(_PLANNED * seconds * len(component) / big / cost))
            done += len(component)
            deadline = start + seconds * done / big
            coords = _component_layout(sub, iterations, np.random.default_rng([seed, number]), deadline)
        blocks.append(([nodes[i] for i in component], coords))
    return _pack(blocks, n)


def _order(node: Hashable) -> tuple[str, str]:
    """A total order on nodes of any type (strings, numbers, tuples), for determinism."""
    return (type(node).__name__, str(node))


def _iteration_cost(nodes: int, edges: int) -> float:
    """Seconds one force iteration takes, as measured on two cores (a model, so plans are fixed)."""
    if nodes <= _EXACT_UP_TO:
        return 2e-5 + 5e-8 * nodes * nodes
    cells = _cells(nodes)
    return 1e-4 + 3e-7 * nodes + 2e-8 * edges + 8e-9 * cells * cells * math.log2(cells)


def _cells(nodes: int) -> int:
    """Grid cells per side for the repulsion: about 1.5·√n, a power of two from 64 to 256."""
    return min(256, max(64, 1 << math.ceil(math.log2(1.5 * math.sqrt(nodes)))))


def _small(size: int):
    """A component of at most three nodes: a point, or a circle of diameter SPACING."""
    import numpy as np

    if size == 1:
        return np.zeros((1, 2))
    angles = 2 * np.pi * np.arange(size) / size
    return SPACING / 2 * np.column_stack([np.cos(angles), np.sin(angles)])


def _component_layout(adjacency, iterations: int, rng, deadline: float):
    """One connected component's positions (rows as in ``adjacency``), centred, in page units."""
    import numpy as np

    n = adjacency.shape[0]
    degree = np.asarray(adjacency.sum(axis=1)).ravel()
    mass = degree + 1.0
    # A disc of mass M under strong gravity g and repulsion r settles at radius sqrt(r M / g).
    radius = math.sqrt(_REPULSION * mass.sum() / _GRAVITY)
    coords = _pivot_mds(adjacency, rng)
    # Leaves of one hub share their distances to every pivot: jitter them apart.
    coords = coords + rng.normal(scale=0.05, size=coords.shape) * (np.abs(coords).max() + 1.0)
    coords = coords - coords.mean(axis=0)
    coords *= radius / math.sqrt(2.0) / (math.sqrt((coords**2).sum(axis=1).mean()) + 1e-12)
    # Pivot MDS leaves long chains far out; from inside the disc they settle in few iterations.
    distance = np.sqrt((coords**2).sum(axis=1, keepdims=True))
    coords *= np.minimum(1.0, radius / np.maximum(distance, 1e-12))
    coords = _force(adjacency, degree, mass, coords, iterations, deadline, step=_STEP * radius)
    coords = coords - coords.mean(axis=0)
    # A uniform disc holding SPACING² per node has mean squared radius SPACING² n / (2π).
    coords *= SPACING * math.sqrt(n / (2 * math.pi)) / (math.sqrt((coords**2).sum(axis=1).mean()) + 1e-12)
    return _separate(coords, MIN_DISTANCE)


def _pivot_mds(adjacency, rng):
    """Pivot MDS (Brandes & Pich 2006): classical MDS on the distances to maxmin-chosen pivots."""
    import numpy as np
    from scipy.sparse.csgraph import shortest_path

    n = adjacency.shape[0]
    k = min(_PIVOTS, n)
    pivot = int(rng.integers(n))
    nearest = np.full(n, np.inf)
    distances = np.empty((n, k))
    for i in range(k):
        distances[:, i] = shortest_path(adjacency, unweighted=True, directed=True, indices=pivot)  # symmetric
        nearest = np.minimum(nearest, distances[:, i])
        pivot = int(np.argmax(nearest))
    squared = distances**2
    centred = -0.5 * (squared - squared.mean(axis=0) - squared.mean(axis=1)[:, None] + squared.mean())
    left, values, _ = np.linalg.svd(centred, full_matrices=False)
    return left[:, :2] * values[:2]


def _force(adjacency, degree, mass, coords, iterations: int, deadline: float, step: float):
    """ForceAtlas2 iterations with strong gravity and its adaptive speed (Gephi's rules).

    No node moves more than ``step`` in one iteration: strong gravity makes the forces large
    and Gephi's speed, tuned for weak gravity, would let the disc oscillate and grow.
    """
    import numpy as np

    n = len(coords)
    exact = n <= _EXACT_UP_TO
    mesh = None if exact else _Mesh(_cells(n))
    previous = np.zeros_like(coords)
    speed, efficiency = 1.0, 1.0
    tolerance = 0.05 * math.sqrt(n)
    for _ in range(iterations):
        if time.perf_counter() > deadline:
            break
        repulsion = _exact_repulsion(coords, mass) if exact else mesh.repulsion(coords, mass)
        centred = coords - coords.mean(axis=0)
        force = _REPULSION * mass[:, None] * repulsion + (adjacency @ coords - degree[:, None] * coords)
        force -= _GRAVITY * mass[:, None] * centred
        swinging = mass * np.sqrt(((previous - force) ** 2).sum(axis=1))
        traction = 0.5 * mass * np.sqrt(((previous + force) ** 2).sum(axis=1))
        swing, effective = swinging.sum(), traction.sum() + 1e-12
        jitter = max(math.sqrt(tolerance), min(10.0, tolerance * effective / n**2))
        if swing / effective > 2.0:
            if efficiency > 0.05:
                efficiency *= 0.5
            jitter = max(jitter, 1.0)
        target = jitter * efficiency * effective / (swing + 1e-12)
        if swing > jitter * effective:
            if efficiency > 0.05:
                efficiency *= 0.7
        elif speed < 1000:
            efficiency *= 1.3
        speed += min(target - speed, 0.5 * speed)
        length = np.sqrt((force**2).sum(axis=1)) + 1e-12
        factor = np.minimum(speed / (1.0 + np.sqrt(speed * swinging)), step / length)
        coords = coords + force * factor[:, None]
        previous = force
    return coords


def _exact_repulsion(coords, mass):
    """Σ_j m_j (x_i − x_j) / |x_i − x_j|² for every node, pair by pair."""
    import numpy as np

    diff = coords[:, None, :] - coords[None, :, :]
    squared = (diff**2).sum(axis=-1)
    np.fill_diagonal(squared, 1.0)
    weight = mass[None, :] / np.maximum(squared, 1e-6)
    np.fill_diagonal(weight, 0.0)
    return np.einsum("ijk,ij->ik", diff, weight)


class _Mesh:
    """Σ_j m_j (x_i − x_j) / |x_i − x_j|² on a grid: the gradient of the ``-log r`` potential.

    Masses go to the four nearest cell corners (cloud in cell), the potential is their
    convolution with ``-½ log(d² + ¼)`` (FFT, zero-padded to twice the grid, so not periodic),
    and its central-difference gradient is read back with the same weights, which leaves no
    force of a node on itself.
    """

    def __init__(self, cells: int):
        import numpy as np
        import scipy.fft

        self.cells = cells
        offsets = np.arange(2 * cells, dtype=float)
        offsets = np.where(offsets < cells, offsets, offsets - 2 * cells)
        dx, dy = np.meshgrid(offsets, offsets, indexing="ij")
        self.kernel = scipy.fft.rfft2(-0.5 * np.log(dx * dx + dy * dy + 0.25))

    def repulsion(self, coords, mass):
        import numpy as np
        import scipy.fft

        cells = self.cells
        low = coords.min(axis=0)
        step = max(float((coords.max(axis=0) - low).max()), 1e-9) / (cells - 4)
        grid = (coords - low) / step + 1.0  # one empty cell on each side for the gradient
        corner = np.floor(grid).astype(np.intp)
        fx, fy = (grid - corner).T
        weights = np.concatenate([(1 - fx) * (1 - fy), fx * (1 - fy), (1 - fx) * fy, fx * fy])
        base = corner[:, 0] * cells + corner[:, 1]
        index = np.concatenate([base, base + cells, base + 1, base + cells + 1])
        density = np.bincount(index, weights=np.tile(mass, 4) * weights, minlength=cells * cells)
        spectrum = scipy.fft.rfft2(density.reshape(cells, cells), s=(2 * cells, 2 * cells))
        potential = scipy.fft.irfft2(spectrum * self.kernel, s=(2 * cells, 2 * cells))[:cells, :cells]
        gx = np.zeros_like(potential)
        gy = np.zeros_like(potential)
        gx[1:-1] = potential[2:] - potential[:-2]
        gy[:, 1:-1] = potential[:, 2:] - potential[:, :-2]
        n = len(coords)
        fx_nodes = (weights * gx.ravel()[index]).reshape(4, n).sum(axis=0)
        fy_nodes = (weights * gy.ravel()[index]).reshape(4, n).sum(axis=0)
        return -np.column_stack([fx_nodes, fy_nodes]) / (2 * step)


def _separate(coords, distance: float, rounds: int = 30):
    """Push apart nodes closer than ``distance``: each close pair is pushed to it, half each.

    A node's pushes add up (a clump must grow), capped at half the distance per round.
    """
    import numpy as np
    from scipy.spatial import cKDTree

    coords = coords.copy()
    n = len(coords)
    for _ in range(rounds):
        pairs = cKDTree(coords).query_pairs(distance * 0.999, output_type="ndarray")
        if not len(pairs):
            break
        i, j = pairs[:, 0], pairs[:, 1]
        diff = coords[i] - coords[j]
        length = np.sqrt((diff**2).sum(axis=1))
        # Coincident nodes part along a direction fixed by their indices.
        angle = (i * 0.618034 + j * 0.414214) * 2 * np.pi
        unit = np.where(
            length[:, None] > 1e-9,
            diff / np.maximum(length, 1e-9)[:, None],
            np.column_stack([np.cos(angle), np.sin(angle)]),
        )
        push = ((distance - length) / 2)[:, None] * unit
        move = np.column_stack([np.bincount(i, push[:, a], n) - np.bincount(j, push[:, a], n) for a in (0, 1)])
        length = np.sqrt((move**2).sum(axis=1))
        coords += move * np.minimum(1.0, distance / 2 / np.maximum(length, 1e-12))[:, None]
    return coords


def _pack(blocks, total: int) -> dict[str, tuple[float, float]]:
    """Components side by side in rows about SPACING·√total wide (or the widest), largest first."""
    positions: dict[str, tuple[float, float]] = {}
    boxes = [(coords.min(axis=0), coords.max(axis=0)) for _, coords in blocks]
    width = max([SPACING * math.sqrt(total)] + [float(high[0] - low[0]) for low, high in boxes])
    x = y = row_height = 0.0
    for (nodes, coords), (low, high) in zip(blocks, boxes, strict=True):
        w, h = (float(v) for v in high - low)
        if x + w > width and x > 0:
            x, y, row_height = 0.0, y + row_height + SPACING, 0.0
        for node, (px, py) in zip(nodes, coords - low, strict=True):
            positions[node] = (x + float(px), y + float(py))
        x += w + SPACING
        row_height = max(row_height, h)
    return positions


def crowding(positions: Mapping[Hashable, tuple[float, float]]) -> float:
    """The largest share of nodes inside any square window of 2 % of the bounding box's area.

    The window's sides are √0.02 ≈ 14.1 % of the box's width and of its height. The box is cut
    into a 71 × 71 grid and every window of 10 × 10 cells ((10/71)² ≈ 1.98 % of the area) is
    summed (two cumulative sums), so windows slide in steps of 1/71 of the box. Nodes spread
    evenly give about 2–4 %; the spectral layout of a 5,000-node trade graph, which draws
    nearly all of it in one spot, about 99 %. A box of no width (or no height) is one cell wide.

    >>> round(crowding({i: (i % 100, i // 100) for i in range(10_000)}), 3)
    0.02
    >>> crowding({"a": (0, 0), "b": (0, 0), "c": (100, 100)})
    0.6666666666666666
    """
    import numpy as np

    if not positions:
        return 0.0
    coords = np.asarray(list(positions.values()), dtype=float).reshape(-1, 2)
    low, high = coords.min(axis=0), coords.max(axis=0)
    span = np.where(high > low, high - low, 1.0)
    cells, window = _CROWDING_CELLS, _CROWDING_WINDOW
    index = np.minimum(((coords - low) / span * cells).astype(np.intp), cells - 1)
    grid = np.bincount(index[:, 0] * cells + index[:, 1], minlength=cells * cells).reshape(cells, cells)
    sums = np.zeros((cells + 1, cells + 1))
    sums[1:, 1:] = grid.cumsum(axis=0).cumsum(axis=1)
    windows = sums[window:, window:] - sums[:-window, window:] - sums[window:, :-window] + sums[:-window, :-window]
    return float(windows.max() / len(coords))


def spectral_layout(graph: nx.Graph) -> dict[str, tuple[float, float]]:
    """The layout big pages had before :func:`spread_layout`, kept to compare against.

    Each connected component gets a spectral layout (sparse eigenvectors: 0.2 s for 5,000
    nodes, where networkx's spring layout took 26 s), scaled to its size; components are
    packed in rows, largest first. On trade graphs it draws nearly every node in one spot
    (:func:`crowding` about 99 %): the Laplacian's first eigenvectors single out a few
    loosely attached nodes.
    """
    simple = nx.Graph(graph)
    components = sorted(nx.connected_components(simple), key=lambda c: (-len(c), min(c)))
    positions: dict[str, tuple[float, float]] = {}
    x = y = row_height = 0.0
    width = 60.0 * len(simple) ** 0.5
    for component in components:
        size = 12.0 * len(component) ** 0.5 + 20.0
        if x + size > width and x > 0:
            x, y, row_height = 0.0, y + row_height + 20.0, 0.0
        sub = simple.subgraph(component)
        local = _spectral(sub) if len(component) > 3 else nx.circular_layout(sub)
        for node, (px, py) in local.items():
            positions[node] = (x + size / 2 + float(px) * size / 2, y + size / 2 + float(py) * size / 2)
        x += size + 20.0
        row_height = max(row_height, size)
    return positions


def _spectral(graph: nx.Graph) -> dict[str, tuple[float, float]]:
    """Spectral coordinates: the Laplacian's 2nd and 3rd smallest eigenvectors, scaled to [-1, 1].

    networkx's spectral_layout asks ARPACK for full precision (4.3 s on a 5,000-node graph
    here); a layout needs three digits (0.2 s).
    """
    import numpy as np
    from scipy.sparse.linalg import eigsh

    nodes = list(graph)
    laplacian = nx.laplacian_matrix(graph, nodelist=nodes).astype(float)
    values, vectors = eigsh(laplacian, k=3, which="SM", tol=1e-3, maxiter=20 * len(nodes))
    order = np.argsort(values)
    coords = vectors[:, order[1:3]]
    coords = coords - coords.mean(axis=0)
    coords = coords / (np.abs(coords).max(axis=0) + 1e-12)
    return {node: (float(x), float(y)) for node, (x, y) in zip(nodes, coords, strict=True)}
