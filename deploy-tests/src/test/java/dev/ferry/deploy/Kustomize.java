package dev.ferry.deploy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MappingIterator;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * A small kustomize: renders a kustomization directory the way {@code kubectl kustomize} does, for
 * the subset deploy/ uses, and refuses anything else (so a kustomization cannot quietly grow a
 * feature this reader would ignore).
 *
 * <p>Supported: {@code resources} (YAML files, and directories holding a kustomization),
 * {@code patches} given by {@code path} (strategic-merge patches, matched to a resource by kind and
 * name; {@code null} deletes a field, lists of containers, env, volumes, mounts and ports merge by
 * their key, {@code $patch: delete} removes a resource or a list element) and {@code images}
 * ({@code name} to {@code newName}/{@code newTag}).
 */
final class Kustomize {
    static final YAMLMapper YAML = new YAMLMapper();
    private static final Set<String> KEYS = Set.of("apiVersion", "kind", "resources", "patches", "images");
    /** The merge key of each list a patch may touch; any other list is replaced whole. */
    private static final Map<String, String> MERGE_KEYS = Map.of(
            "containers", "name",
            "initContainers", "name",
            "env", "name",
            "volumes", "name",
            "volumeMounts", "mountPath",
            "imagePullSecrets", "name");

    private Kustomize() {
    }

    /** Every document of a YAML file (empty documents skipped). */
    static List<ObjectNode> readAll(Path file) {
        List<ObjectNode> out = new ArrayList<>();
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
            while (it.hasNext()) {
                JsonNode doc = it.next();
                if (doc == null || doc.isNull() || doc.isMissingNode()) {
                    continue;
                }
                if (!doc.isObject()) {
                    throw new IllegalStateException(file + ": a document is not a mapping: " + doc);
                }
                out.add((ObjectNode) doc);
            }
        } catch (JacksonException e) {
            throw new IllegalStateException(file + ": " + e.getMessage(), e);
        }
        return out;
    }

    /** The documents {@code kubectl kustomize dir} would print, in resource order. */
    static List<ObjectNode> render(Path dir) {
        dir = dir.toAbsolutePath().normalize();
        Path file = dir.resolve("kustomization.yaml");
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException(dir + " has no kustomization.yaml");
        }
        List<ObjectNode> docs = readAll(file);
        if (docs.size() != 1) {
            throw new IllegalStateException(file + ": expected one document, found " + docs.size());
        }
        ObjectNode k = docs.getFirst();
        for (String key : k.propertyNames()) {
            if (!KEYS.contains(key)) {
                throw new IllegalStateException(file + ": '" + key + "' is not supported by this reader; supported: " + KEYS);
            }
        }
        if (!"Kustomization".equals(text(k, "kind"))) {
            throw new IllegalStateException(file + ": kind must be Kustomization");
        }
        List<ObjectNode> out = new ArrayList<>();
        for (JsonNode r : k.path("resources")) {
            Path p = dir.resolve(r.asString()).normalize();
            if (Files.isDirectory(p)) {
                out.addAll(render(p));
            } else if (Files.isRegularFile(p)) {
                if (!p.startsWith(dir)) {
                    // kustomize's load restrictor: a file resource must be in or below the root.
                    throw new IllegalStateException(file + ": file resource " + r.asString() + " is outside the kustomization root");
                }
                out.addAll(readAll(p));
            } else {
                throw new IllegalStateException(file + ": resource " + r.asString() + " does not exist");
            }
        }
        for (JsonNode p : k.path("patches")) {
            for (String key : p.propertyNames()) {
                if (!key.equals("path")) {
                    throw new IllegalStateException(file + ": patch option '" + key + "' is not supported by this reader");
                }
            }
            for (ObjectNode patch : readAll(dir.resolve(p.get("path").asString()))) {
                applyPatch(out, patch, file);
            }
        }
        for (JsonNode image : k.path("images")) {
            setImages(out, image);
        }
        List<String> ids = new ArrayList<>();
        for (ObjectNode doc : out) {
            String id = text(doc, "kind") + "/" + doc.path("metadata").path("name").asString("");
            if (ids.contains(id)) {
                throw new IllegalStateException(file + ": " + id + " is defined twice");
            }
            ids.add(id);
        }
        return out;
    }

    private static void applyPatch(List<ObjectNode> docs, ObjectNode patch, Path file) {
        String kind = text(patch, "kind");
        String name = patch.path("metadata").path("name").asString("");
        for (Iterator<ObjectNode> it = docs.iterator(); it.hasNext(); ) {
            ObjectNode doc = it.next();
            if (kind.equals(text(doc, "kind")) && name.equals(doc.path("metadata").path("name").asString(""))) {
                if ("delete".equals(patch.path("$patch").asString(""))) {
                    it.remove();
                } else {
                    merge(doc, patch);
                }
                return;
            }
        }
        throw new IllegalStateException(file + ": a patch targets " + kind + "/" + name + ", which no resource defines");
    }

    /** Strategic merge of {@code patch} into {@code target}, in place. */
    static void merge(ObjectNode target, ObjectNode patch) {
        for (Map.Entry<String, JsonNode> e : patch.properties()) {
            String key = e.getKey();
            JsonNode pv = e.getValue();
            JsonNode tv = target.get(key);
            if (key.startsWith("$")) {
                continue;
            }
            if (pv.isNull()) {
                target.remove(key);
            } else if (pv.isObject() && tv != null && tv.isObject()) {
                merge((ObjectNode) tv, (ObjectNode) pv);
            } else if (pv.isArray() && tv != null && tv.isArray() && mergeKey(key, (ArrayNode) pv) != null) {
                mergeList((ArrayNode) tv, (ArrayNode) pv, mergeKey(key, (ArrayNode) pv));
            } else {
                target.set(key, pv.deepCopy());
            }
        }
    }

    private static String mergeKey(String key, ArrayNode patch) {
        if (key.equals("ports")) {
            // Container ports merge by containerPort, Service ports by port.
            return !patch.isEmpty() && patch.get(0).has("containerPort") ? "containerPort" : "port";
        }
        return MERGE_KEYS.get(key);
    }

    private static void mergeList(ArrayNode target, ArrayNode patch, String mergeKey) {
        for (JsonNode pe : patch) {
            JsonNode key = pe.get(mergeKey);
            int found = -1;
            for (int i = 0; i < target.size(); i++) {
                if (key != null && key.equals(target.get(i).get(mergeKey))) {
                    found = i;
                    break;
                }
            }
            boolean delete = "delete".equals(pe.path("$patch").asString(""));
            if (found >= 0 && delete) {
                target.remove(found);
            } else if (found >= 0) {
                merge((ObjectNode) target.get(found), (ObjectNode) pe);
            } else if (!delete) {
                target.add(pe.deepCopy());
            }
        }
    }

    private static void setImages(List<ObjectNode> docs, JsonNode image) {
        String name = image.get("name").asString();
        for (ObjectNode doc : docs) {
            for (ObjectNode container : containersOf(doc)) {
                String current = container.path("image").asString("");
                String bare = current.contains(":") ? current.substring(0, current.lastIndexOf(':')) : current;
                String tag = current.contains(":") ? current.substring(current.lastIndexOf(':') + 1) : null;
                if (bare.equals(name)) {
                    String newName = image.path("newName").asString(bare);
                    String newTag = image.path("newTag").asString(tag);
                    container.put("image", newTag == null ? newName : newName + ":" + newTag);
                }
            }
        }
    }

    /** Every container (and init container) anywhere in a document: Deployments, Jobs, ScaledJobs... */
    static List<ObjectNode> containersOf(JsonNode node) {
        List<ObjectNode> out = new ArrayList<>();
        collect(node, out);
        return out;
    }

    private static void collect(JsonNode node, List<ObjectNode> out) {
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                if ((e.getKey().equals("containers") || e.getKey().equals("initContainers")) && e.getValue().isArray()) {
                    e.getValue().forEach(c -> out.add((ObjectNode) c));
                } else {
                    collect(e.getValue(), out);
                }
            }
        } else if (node.isArray()) {
            node.forEach(n -> collect(n, out));
        }
    }

    static String text(JsonNode node, String field) {
        return node.path(field).asString("");
    }
}
