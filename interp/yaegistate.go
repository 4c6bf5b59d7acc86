package interp

import (
	"reflect"
	"unsafe"

	yaegi "github.com/traefik/yaegi/interp"
)

// doneOffset is the offset of yaegi's Interpreter.done, the channel that
// every frame of a run selects on in a blocking channel operation, or -1
// if this version of yaegi has no such field.
//
// yaegi makes a new channel for each ExecuteWithContext and closes it only
// when that call is cancelled; a goroutine keeps the channel of the run
// that started it. So a goroutine parked in `<-ch` or `select {}` since
// an earlier evaluation is not woken by a later cancellation, only by its
// own run's channel: Close and interruptions close those channels (see
// wakeGoroutines), which yaegi does not export.
var doneOffset = func() uintptr {
	f, ok := reflect.TypeOf(yaegi.Interpreter{}).FieldByName("done")
	if !ok || f.Type != reflect.TypeOf((chan struct{})(nil)) {
		return ^uintptr(0)
	}
	return f.Offset
}()

// runDone returns the channel of the run yi is executing. It must be
// called from inside that run (Execute has set it under yaegi's lock
// before the run's goroutine started).
func runDone(yi *yaegi.Interpreter) chan struct{} {
	if doneOffset == ^uintptr(0) {
		return nil
	}
	return *(*chan struct{})(unsafe.Add(unsafe.Pointer(yi), doneOffset))
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
