package interp

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"

	yaegi "github.com/traefik/yaegi/interp"
)

// Everything of manhole's that reaches into yaegi's unexported state or
// relies on the shape of its internal types is in this file:
// Interpreter.id, .done, .mutex and .frame.data, valueInterface{node, value}, the
// interface wrappers {IValue, W<Method>...}, the code pointer of
// reflect.MakeFunc closures. TestYaegiVersion fails when go.mod moves to
// another yaegi than the one these were written against: review each
// here then (and its tests), and move the version in the test.

// yaegi stops a run only when the context of an ExecuteWithContext call
// is done: it bumps Interpreter.id, the run id that every interpreted
// frame compares its own with at each step, and closes Interpreter.done,
// the channel that every frame of the run selects on in a blocking
// channel operation. ExecuteWithContext runs the program on a goroutine of
// its own and returns without saying whether that goroutine finished; so
// manhole runs each input with Execute on a goroutine it owns and does
// what yaegi's stop does itself (see run), through these fields.
//
// A goroutine keeps the channel of the run that started it: one parked in
// `<-ch` or `select {}` since an earlier evaluation is not woken by a
// later cancellation, only by its own run's channel, which Close and
// interruptions close (see wakeGoroutines).
var runState = func() (rs struct {
	id, done, mutex uintptr
	ok              bool
}) {
	t := reflect.TypeFor[yaegi.Interpreter]()
	id, ok1 := t.FieldByName("id")
	done, ok2 := t.FieldByName("done")
	mu, ok3 := t.FieldByName("mutex")
	rs.ok = ok1 && ok2 && ok3 && id.Type == reflect.TypeFor[uint64]() &&
		done.Type == reflect.TypeFor[chan struct{}]() && mu.Type == reflect.TypeFor[sync.RWMutex]()
	rs.id, rs.done, rs.mutex = id.Offset, done.Offset, mu.Offset
	return rs
}()

// resumeGlobalFrame gives yi's global frame the current run id, as the
// next Execute would. An input abandoned in a compiled call has its
// statements of the global block run in that frame: should the call
// return before a later input's Execute reset the frame's id, yaegi would
// stop the block there (its id is old) and go on to the end of Execute,
// which reads the frame, next to that later input; with the id current,
// the block runs on to its next Check, which parks it (see parkStale).
func resumeGlobalFrame(yi *yaegi.Interpreter) {
	f := reflect.ValueOf(yi).Elem().FieldByName("frame")
	if !f.IsValid() || f.Kind() != reflect.Pointer || f.IsNil() {
		return
	}
	id := f.Elem().FieldByName("id")
	if !id.IsValid() || id.Kind() != reflect.Uint64 {
		return
	}
	cur := atomic.LoadUint64((*uint64)(unsafe.Add(unsafe.Pointer(yi), runState.id)))
	atomic.StoreUint64((*uint64)(unsafe.Pointer(id.UnsafeAddr())), cur)
}

var errYaegiState = errors.New("interp: this version of yaegi has no Interpreter.id, .done and .mutex of the expected types; see yaegistate.go")

// setRunDone makes done the channel of yi's next run, as ExecuteWithContext
// does, under yaegi's lock (each frame reads it under that lock when it
// starts). Only the goroutine about to call Execute calls it.
func setRunDone(yi *yaegi.Interpreter, done chan struct{}) {
	mu := (*sync.RWMutex)(unsafe.Add(unsafe.Pointer(yi), runState.mutex))
	mu.Lock()
	*(*chan struct{})(unsafe.Add(unsafe.Pointer(yi), runState.done)) = done
	mu.Unlock()
}

// bumpRunID makes every interpreted frame of yi that is running return at
// its next step, as yaegi's stop does; a frame blocked in a channel
// operation returns once its run's channel is closed.
func bumpRunID(yi *yaegi.Interpreter) {
	atomic.AddUint64((*uint64)(unsafe.Add(unsafe.Pointer(yi), runState.id)), 1)
}

var reflectValueType = reflect.TypeFor[reflect.Value]()

// yaegiInterfaceValue returns the value that v holds, a value of yaegi's
// valueInterface{node *node; value reflect.Value} (see isYaegiInterface):
// what yaegi stores for a session value in an interface (an element of
// an []any, a value of a session interface type). The field is
// unexported; it is read in place, or in a copy when v cannot be
// addressed. Invalid when neither is possible (v was read through an
// unexported field and cannot be addressed).
func yaegiInterfaceValue(v reflect.Value) reflect.Value {
	if v.NumField() != 2 || v.Type().Field(1).Type != reflectValueType {
		return reflect.Value{}
	}
	if !v.CanAddr() {
		if !v.CanInterface() {
			return reflect.Value{}
		}
		c := reflect.New(v.Type()).Elem()
		c.Set(v)
		v = c
	}
	return *(*reflect.Value)(unsafe.Pointer(v.Field(1).UnsafeAddr()))
}

// makeFuncCode is the code pointer shared by every function made by
// reflect.MakeFunc, which is how yaegi hands out interpreted closures.
var makeFuncCode = reflect.MakeFunc(reflect.TypeOf(func() {}), nil).Pointer()

func isClosure(v reflect.Value) bool { return v.Pointer() == makeFuncCode }

const yaegiPkg = "github.com/traefik/yaegi"

// adoptVariables makes the variables of a new generation the old
// generation's own: the new interpreter's global frame slots are set to
// the old variables' storage, so that a pointer taken to one (&x, a
// method with a pointer receiver, a goroutine still running in the old
// interpreter) and the variable stay the same thing. yaegi reads a global
// from its frame at each use (f.root.data[i]); the frame is not exported,
// so it is reached through reflection. Both generations declared the
// variables from the same source, so their types have the same layout;
// yaegi gives recursive struct types a new reflect type in each
// interpreter, in which case the old storage is seen through the new type.
func adoptVariables(gen *generation, old map[string]reflect.Value) error {
	globals, err := globals(gen) // first, for it sizes the frame
	if err != nil {
		return err
	}
	slots, err := frameSlots(gen.yi)
	if err != nil {
		return err
	}
	index := make(map[uintptr]int, slots.Len())
	for i := 0; i < slots.Len(); i++ {
		if v := slots.Index(i).Interface().(reflect.Value); v.IsValid() && v.CanAddr() {
			index[v.UnsafeAddr()] = i
		}
	}
	for name, ov := range old {
		nv, ok := globals[name]
		if !ok || !nv.CanAddr() || !ov.CanAddr() {
			return fmt.Errorf("variable %s was not declared again", name)
		}
		i, ok := index[nv.UnsafeAddr()]
		if !ok {
			return fmt.Errorf("variable %s: no frame slot", name)
		}
		if ov.Type() != nv.Type() {
			if !sameLayout(ov.Type(), nv.Type(), map[[2]reflect.Type]bool{}) {
				return fmt.Errorf("variable %s: its type changed from %v to %v", name, ov.Type(), nv.Type())
			}
			ov = reflect.NewAt(nv.Type(), ov.Addr().UnsafePointer()).Elem()
		}
		slots.Index(i).Set(reflect.ValueOf(ov))
	}
	return nil
}

// frameSlots returns yaegi's global frame, interp.frame.data, as a
// settable []reflect.Value.
func frameSlots(yi *yaegi.Interpreter) (reflect.Value, error) {
	f := reflect.ValueOf(yi).Elem().FieldByName("frame")
	if !f.IsValid() || f.Kind() != reflect.Pointer || f.IsNil() {
		return reflect.Value{}, errors.New("yaegi's interpreter has no frame field")
	}
	d := f.Elem().FieldByName("data")
	if !d.IsValid() || d.Type() != reflect.TypeOf([]reflect.Value(nil)) {
		return reflect.Value{}, errors.New("yaegi's frame has no data field")
	}
	return reflect.NewAt(d.Type(), unsafe.Pointer(d.UnsafeAddr())).Elem(), nil
}

// isYaegiInterface reports whether t is yaegi's representation of a value
// of a non-empty interface type declared in the session.
func isYaegiInterface(t reflect.Type) bool {
	return t.Kind() == reflect.Struct && t.Name() == "valueInterface" &&
		strings.HasPrefix(t.PkgPath(), yaegiPkg) && t.NumField() == 2
}

// wrapped returns the value of a session type that yaegi's interface
// wrapper e holds.
func wrapped(e any) (reflect.Value, bool) {
	return wrappedValue(reflect.ValueOf(e))
}

// wrappedValue is wrapped of a reflect.Value (which may have been read
// through an unexported field).
func wrappedValue(v reflect.Value) (reflect.Value, bool) {
	if v.Kind() != reflect.Struct || v.NumField() == 0 || v.Type().Field(0).Name != "IValue" {
		return reflect.Value{}, false
	}
	w := v.Field(0)
	if w.Kind() == reflect.Interface {
		w = w.Elem()
	}
	return w, w.IsValid()
}

// isYaegiWrapper reports whether t is one of yaegi's interface wrappers:
// interp._error, or an extracted package's _pkg_Iface, a struct of the
// held value (IValue) and a func field per method (WError, WString...).
func isYaegiWrapper(t reflect.Type) bool {
	return t.Kind() == reflect.Struct && strings.HasPrefix(t.Name(), "_") && t.NumField() > 0 && t.Field(0).Name == "IValue"
}

// concreteValue is what yaegi's interface wrapper would hold of v
// (getConcreteValue): of a struct without methods its last valid field.
func concreteValue(v reflect.Value) reflect.Value {
	if v.Kind() != reflect.Struct || v.NumMethod() > 0 {
		return v
	}
	for i := v.NumField() - 1; i >= 0; i-- {
		f := v.Field(i)
		if f.Kind() == reflect.Interface {
			f = f.Elem()
		}
		if f.IsValid() {
			return f
		}
	}
	return v
}
