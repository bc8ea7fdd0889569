package dev.ferry.spring.autoconfigure;

import dev.ferry.CronScheduler;
import dev.ferry.Handler;
import dev.ferry.InvalidInputException;
import dev.ferry.Schedule;
import dev.ferry.Task;
import dev.ferry.TaskContext;
import dev.ferry.WorkerBuilder;
import dev.ferry.spring.CronTask;
import dev.ferry.spring.TaskHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.EmbeddedValueResolverAware;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;
import org.springframework.util.StringValueResolver;

/**
 * Finds {@link TaskHandler} and {@link CronTask} methods on every bean as it is created, checks
 * their signatures at once (so a wrong one fails the application's start naming the method), and
 * keeps them for the worker and scheduler lifecycles, which start after every singleton exists.
 */
public final class HandlerMethods implements BeanPostProcessor, EmbeddedValueResolverAware {

    /** A payload-less cron tick is an empty JSON object. */
    private static final Map<String, Object> NO_PAYLOAD = Map.of();

    private final Map<String, Registration> handlers = Collections.synchronizedMap(new LinkedHashMap<>());
    private final List<CronRegistration> schedules = Collections.synchronizedList(new ArrayList<>());
    private final Set<Class<?>> plainClasses = ConcurrentHashMap.newKeySet();
    private StringValueResolver resolver;

    /** One handler method: the bean, the method to invoke on it and the payload class. */
    record Registration(String type, String source, Class<?> payloadType, Handler<Object> handler) {
    }

    /** One {@code @CronTask}: its schedule, the task each tick enqueues, and the policies. */
    record CronRegistration(String name, Schedule schedule, Task task, CronTask annotation, String source) {
    }

    @Override
    public void setEmbeddedValueResolver(StringValueResolver resolver) {
        this.resolver = resolver;
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        Class<?> target = AopUtils.getTargetClass(bean);
        if (plainClasses.contains(target) || target.getName().startsWith("org.springframework.")) {
            return bean;
        }
        Map<Method, TaskHandler> taskHandlers = MethodIntrospector.selectMethods(target,
                (MethodIntrospector.MetadataLookup<TaskHandler>) m -> AnnotatedElementUtils.findMergedAnnotation(m, TaskHandler.class));
        Map<Method, CronTask> cronTasks = MethodIntrospector.selectMethods(target,
                (MethodIntrospector.MetadataLookup<CronTask>) m -> AnnotatedElementUtils.findMergedAnnotation(m, CronTask.class));
        if (taskHandlers.isEmpty() && cronTasks.isEmpty()) {
            plainClasses.add(target);
            return bean;
        }
        taskHandlers.forEach((method, annotation) -> registerHandler(bean, beanName, method, annotation));
        cronTasks.forEach((method, annotation) -> registerCron(bean, beanName, method, annotation));
        return bean;
    }

    private void registerHandler(Object bean, String beanName, Method method, TaskHandler annotation) {
        String source = describe(beanName, method);
        if (method.isAnnotationPresent(CronTask.class)) {
            throw new IllegalStateException(source + ": a method is either a @TaskHandler or a @CronTask, not both");
        }
        String type = resolve(annotation.value());
        Class<?>[] params = method.getParameterTypes();
        boolean shapeOk = (params.length == 1 || (params.length == 2 && params[1] == TaskContext.class))
                && params[0] != TaskContext.class;
        if (!shapeOk) {
            throw new IllegalStateException(source + ": a @TaskHandler method takes the payload and optionally a second "
                    + "TaskContext parameter, as in 'Result handle(MyPayload payload, TaskContext ctx)'");
        }
        Class<?> payloadType = ClassUtils.resolvePrimitiveIfNecessary(params[0]);
        add(new Registration(type, source, payloadType, invoker(bean, method, params.length == 2, true)));
    }

    private void registerCron(Object bean, String beanName, Method method, CronTask annotation) {
        String source = describe(beanName, method);
        Class<?>[] params = method.getParameterTypes();
        if (params.length > 1 || (params.length == 1 && params[0] != TaskContext.class)) {
            throw new IllegalStateException(source + ": a @CronTask method takes no parameter or one TaskContext");
        }
        String name = resolve(annotation.name());
        Schedule schedule;
        try {
            schedule = Schedule.parse(resolve(annotation.cron()), resolve(annotation.zone()));
        } catch (InvalidInputException e) {
            throw new InvalidInputException("@CronTask(" + e.field() + ") on " + source, e.getMessage());
        }
        String type = annotation.type().isEmpty() ? "cron." + name : resolve(annotation.type());
        Task task = Task.of(type, NO_PAYLOAD);
        String queue = resolve(annotation.queue());
        if (!queue.isEmpty()) {
            task = task.queue(queue);
        }
        add(new Registration(type, source, Map.class, invoker(bean, method, params.length == 1, false)));
        synchronized (schedules) {
            for (CronRegistration c : schedules) {
                if (c.name().equals(name)) {
                    throw new IllegalStateException("two @CronTask methods are named '" + name + "': " + c.source() + " and " + source);
                }
            }
            schedules.add(new CronRegistration(name, schedule, task, annotation, source));
        }
    }

    private void add(Registration r) {
        synchronized (handlers) {
            Registration earlier = handlers.putIfAbsent(r.type(), r);
            if (earlier != null) {
                throw new IllegalStateException("two handlers for task type '" + r.type() + "': " + earlier.source()
                        + " and " + r.source());
            }
        }
    }

    /** Calls the method through the bean (so proxies such as {@code @Transactional} apply), unwrapping its exceptions. */
    private static Handler<Object> invoker(Object bean, Method method, boolean withContext, boolean withPayload) {
        if (Modifier.isStatic(method.getModifiers())) {
            throw new IllegalStateException(describe(bean.getClass().getSimpleName(), method) + ": must not be static");
        }
        Method invocable = AopUtils.selectInvocableMethod(method, bean.getClass());
        ReflectionUtils.makeAccessible(invocable);
        return (payload, ctx) -> {
            Object[] args = withPayload ? (withContext ? new Object[] {payload, ctx} : new Object[] {payload})
                    : (withContext ? new Object[] {ctx} : new Object[0]);
            try {
                return invocable.invoke(bean, args);
            } catch (InvocationTargetException e) {
                Throwable cause = e.getCause();
                if (cause instanceof Exception ex) {
                    throw ex;
                }
                if (cause instanceof Error err) {
                    throw err;
                }
                throw e;
            }
        };
    }

    private String resolve(String value) {
        String v = resolver == null ? value : resolver.resolveStringValue(value);
        return v == null ? "" : v.strip();
    }

    private static String describe(String beanName, Method method) {
        return "bean '" + beanName + "' method " + method.getDeclaringClass().getSimpleName() + "." + method.getName();
    }

    /** True when no handler method was found. */
    boolean isEmpty() {
        return handlers.isEmpty();
    }

    /** The task types with a handler method, in registration order. */
    List<String> types() {
        synchronized (handlers) {
            return List.copyOf(handlers.keySet());
        }
    }

    /** Registers every handler method on the builder. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    void registerOn(WorkerBuilder builder) {
        synchronized (handlers) {
            for (Registration r : handlers.values()) {
                try {
                    builder.handle(r.type(), (Class) r.payloadType(), r.handler());
                } catch (InvalidInputException e) {
                    throw new InvalidInputException(e.field(), e.getMessage() + " (" + r.source() + ")");
                }
            }
        }
    }

    /** The {@code @CronTask} schedules, in registration order. */
    List<CronRegistration> schedules() {
        synchronized (schedules) {
            return List.copyOf(schedules);
        }
    }

    /** Registers every schedule on the builder. */
    void registerOn(CronScheduler.Builder builder) {
        for (CronRegistration c : schedules()) {
            try {
                builder.schedule(c.name(), c.schedule(), c.task(), c.annotation().misfire(), c.annotation().overlap());
            } catch (InvalidInputException e) {
                throw new InvalidInputException(e.field(), e.getMessage() + " (" + c.source() + ")");
            }
        }
    }
}
